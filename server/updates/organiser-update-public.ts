import { direction, intlLocale } from '../i18n/languages.js';
import { renderMarkdown } from '../petitions/markdown.js';
import type { OrganiserUpdate } from './organiser-update-repository.js';

/** The public petition page's "Updates" section: every sent update, newest first, in the language it was written in. */
export function updatesSection({ petitions, updates }: { petitions: { findBySlug(slug: string): Promise<{ id: string } | null> }; updates: { listSent(petitionId: string): Promise<OrganiserUpdate[]> } }) {
  return async (slug: string, lang: string) => {
    const petition = await petitions.findBySlug(slug);
    if (!petition) return [];
    const date = new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'long', timeZone: 'UTC' });
    return (await updates.listSent(petition.id)).map((u) => ({
      id: u.id,
      title: u.title,
      date: date.format(u.sentAt!),
      html: renderMarkdown(u.body),
      // The update's own words carry their language when it is not the page's.
      text: u.lang === lang ? null : { lang: u.lang, dir: direction(u.lang) },
    }));
  };
}

export type UpdatesSection = ReturnType<typeof updatesSection>;
