import type { NewPetition } from './petition-types.js';

/** The model case: the first page a newcomer sees is a real campaign, not an empty list. */
export const DEMO_PETITION: NewPetition = {
  slug: 'free-xinjiang-detainees',
  title: 'Free the people arbitrarily detained in Xinjiang',
  summary:
    'Hundreds of thousands of Uyghurs, Kazakhs and other Muslims are held without charge or trial in Xinjiang. We call for their release and for their families to be told where they are.',
  body: [
    'Since 2017, people from Xinjiang have been detained in large numbers, without charge, without trial and without access to a lawyer. Many of their relatives abroad do not know whether they are alive.',
    'We call on the government of the People’s Republic of China to release everyone arbitrarily detained in Xinjiang, to tell families where their relatives are held, and to allow independent observers into the region.',
    'Your signature will be handed over at Chinese embassies around the world. You can choose to show only your country, not your name.',
  ].join('\n\n'),
  target: 'The government of the People’s Republic of China',
  goal: 500_000,
  status: 'open',
  verification: 'email',
};
