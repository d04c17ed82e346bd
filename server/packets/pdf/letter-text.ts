import type { LetterLanguage } from '../../deliveries/target-types.js';

interface Intro {
  organisation: string;
  title: string;
  /** Who the petition is addressed to (the petition's own `target`). */
  target: string;
  total: string;
  totalCount: number;
  countries: string;
  countryCount: number;
}

/** The fixed sentences of a packet, per cover-letter language. Counts come formatted; `n` only picks a plural. */
export interface LetterText {
  packet: string;
  page: (n: string) => string;
  subject: (title: string) => string;
  dear: (recipient: string) => string;
  intro: (v: Intro) => string;
  demand: string;
  petition: string;
  request: string;
  closing: string;
  summary: string;
  country: string;
  signatures: string;
  total: string;
  countries: (count: string, n: number) => string;
  signers: string;
  countryHeading: (name: string, count: string, n: number) => string;
  continued: (name: string) => string;
  /** The line after a country's names: signers shown by country only (`named`: some were listed above it). */
  unnamed: (count: string, n: number, named: boolean) => string;
  posterUnit: (n: number) => string;
  posterCountries: (count: string, n: number) => string;
  posterHandover: (target: string, date: string) => string;
}

const one = (n: number) => n === 1;

const en: LetterText = {
  packet: 'Packet',
  page: (n) => `page ${n}`,
  subject: (title) => `Petition: ${title}`,
  dear: (r) => (r ? `Dear ${r},` : 'Dear Sir or Madam,'),
  intro: (v) =>
    `On behalf of ${v.total} ${one(v.totalCount) ? 'person' : 'people'} from ${v.countries} ${one(v.countryCount) ? 'country' : 'countries'}, ${v.organisation} hands you the petition “${v.title}”, addressed to ${v.target}. ` +
    'The signers are listed by country after this letter.',
  demand: 'Our demand',
  petition: 'The petition',
  request: 'We ask you to pass this petition and the demand of its signers on to those it is addressed to.',
  closing: 'Respectfully,',
  summary: 'Signatures by country',
  country: 'Country',
  signatures: 'Signatures',
  total: 'Total',
  countries: (c, n) => `${c} ${one(n) ? 'country' : 'countries'}`,
  signers: 'Signers by country',
  countryHeading: (name, c, n) => `${name} — ${c} ${one(n) ? 'signature' : 'signatures'}`,
  continued: (name) => `${name} (continued)`,
  unnamed: (c, n, named) => `${named ? 'and ' : ''}${c} ${one(n) ? 'signer' : 'signers'} shown by country only`,
  posterUnit: (n) => (one(n) ? 'signature' : 'signatures'),
  posterCountries: (c, n) => `from ${c} ${one(n) ? 'country' : 'countries'}`,
  posterHandover: (target, date) => `Handed over to ${target} · ${date}`,
};

const es: LetterText = {
  packet: 'Paquete',
  page: (n) => `página ${n}`,
  subject: (title) => `Petición: ${title}`,
  dear: (r) => (r ? `Estimado/a ${r}:` : 'Estimados señores:'),
  intro: (v) =>
    `En nombre de ${v.total} ${one(v.totalCount) ? 'persona' : 'personas'} de ${v.countries} ${one(v.countryCount) ? 'país' : 'países'}, ${v.organisation} le entrega la petición «${v.title}», dirigida a ${v.target}. ` +
    'Los firmantes figuran por país a continuación de esta carta.',
  demand: 'Nuestra demanda',
  petition: 'La petición',
  request: 'Le pedimos que transmita esta petición y la demanda de sus firmantes a sus destinatarios.',
  closing: 'Atentamente,',
  summary: 'Firmas por país',
  country: 'País',
  signatures: 'Firmas',
  total: 'Total',
  countries: (c, n) => `${c} ${one(n) ? 'país' : 'países'}`,
  signers: 'Firmantes por país',
  countryHeading: (name, c, n) => `${name} — ${c} ${one(n) ? 'firma' : 'firmas'}`,
  continued: (name) => `${name} (continuación)`,
  unnamed: (c, n, named) => `${named ? 'y ' : ''}${c} ${one(n) ? 'firmante indicado' : 'firmantes indicados'} solo por país`,
  posterUnit: (n) => (one(n) ? 'firma' : 'firmas'),
  posterCountries: (c, n) => `de ${c} ${one(n) ? 'país' : 'países'}`,
  posterHandover: (target, date) => `Entregada a ${target} · ${date}`,
};

// French treats 0 and 1 as singular.
const frOne = (n: number) => n < 2;
const fr: LetterText = {
  packet: 'Paquet',
  page: (n) => `page ${n}`,
  subject: (title) => `Objet : pétition « ${title} »`,
  dear: () => 'Madame, Monsieur,',
  intro: (v) =>
    `Au nom de ${v.total} ${frOne(v.totalCount) ? 'personne' : 'personnes'} de ${v.countries} pays, ${v.organisation} vous remet la pétition « ${v.title} », adressée à ${v.target}. ` +
    'Les signataires sont listés par pays à la suite de cette lettre.',
  demand: 'Notre demande',
  petition: 'La pétition',
  request: 'Nous vous demandons de transmettre cette pétition et la demande de ses signataires à leurs destinataires.',
  closing: 'Veuillez agréer, Madame, Monsieur, l’expression de notre haute considération.',
  summary: 'Signatures par pays',
  country: 'Pays',
  signatures: 'Signatures',
  total: 'Total',
  countries: (c) => `${c} pays`,
  signers: 'Signataires par pays',
  countryHeading: (name, c, n) => `${name} — ${c} ${frOne(n) ? 'signature' : 'signatures'}`,
  continued: (name) => `${name} (suite)`,
  unnamed: (c, n, named) => `${named ? 'et ' : ''}${c} ${frOne(n) ? 'signataire indiqué' : 'signataires indiqués'} par pays seulement`,
  posterUnit: (n) => (frOne(n) ? 'signature' : 'signatures'),
  posterCountries: (c) => `de ${c} pays`,
  posterHandover: (target, date) => `Remise à ${target} · ${date}`,
};

// "N من ..." ("N of the ...") and "العدد: N" keep the sentences correct whatever the count, without Arabic's six plural forms.
const ar: LetterText = {
  packet: 'الحزمة',
  page: (n) => `صفحة ${n}`,
  subject: (title) => `الموضوع: عريضة «${title}»`,
  dear: (r) => (r ? `حضرة ${r}،` : 'حضرة السيدات والسادة،'),
  intro: (v) =>
    `باسم ${v.total} من الموقّعين في ${v.countries} من الدول، تسلّمكم ${v.organisation} العريضة «${v.title}» الموجّهة إلى ${v.target}. ` +
    'ترد أسماء الموقّعين مرتّبة حسب الدولة بعد هذه الرسالة.',
  demand: 'مطلبنا',
  petition: 'نص العريضة',
  request: 'نرجو منكم إيصال هذه العريضة ومطلب موقّعيها إلى الجهة الموجّهة إليها.',
  closing: 'وتفضلوا بقبول فائق الاحترام،',
  summary: 'التوقيعات حسب الدولة',
  country: 'الدولة',
  signatures: 'عدد التوقيعات',
  total: 'المجموع',
  countries: (c) => `عدد الدول: ${c}`,
  signers: 'الموقّعون حسب الدولة',
  countryHeading: (name, c) => `${name} — عدد التوقيعات: ${c}`,
  continued: (name) => `${name} (تتمة)`,
  unnamed: (c, _n, named) => `${named ? 'وموقّعون آخرون' : 'موقّعون'} عددهم ${c} يظهرون باسم الدولة فقط`,
  posterUnit: () => 'توقيع',
  posterCountries: (c) => `في ${c} من الدول`,
  posterHandover: (target, date) => `سُلّمت إلى ${target} · ${date}`,
};

const zhHans: LetterText = {
  packet: '递交包',
  page: (n) => `第 ${n} 页`,
  subject: (title) => `事由：请愿书《${title}》`,
  dear: (r) => (r ? `尊敬的${r}：` : '尊敬的先生/女士：'),
  intro: (v) =>
    `${v.organisation}谨代表来自${v.countries}个国家的${v.total}名签名者，向您递交请愿书《${v.title}》。该请愿书的对象是${v.target}。` +
    '签名者名单按国家列于本信之后。',
  demand: '我们的诉求',
  petition: '请愿书全文',
  request: '我们请求您将本请愿书及签名者的诉求转交给请愿对象。',
  closing: '此致敬礼',
  summary: '各国签名数',
  country: '国家',
  signatures: '签名数',
  total: '总计',
  countries: (c) => `${c}个国家`,
  signers: '签名者名单（按国家）',
  countryHeading: (name, c) => `${name} — ${c}个签名`,
  continued: (name) => `${name}（续）`,
  unnamed: (c, _n, named) => `${named ? '另有' : ''}${c}名签名者仅显示国家`,
  posterUnit: () => '个签名',
  posterCountries: (c) => `来自${c}个国家`,
  posterHandover: (target, date) => `递交给${target} · ${date}`,
};

const zhHant: LetterText = {
  packet: '遞交包',
  page: (n) => `第 ${n} 頁`,
  subject: (title) => `事由：請願書《${title}》`,
  dear: (r) => (r ? `尊敬的${r}：` : '敬啟者：'),
  intro: (v) =>
    `${v.organisation}謹代表來自${v.countries}個國家的${v.total}名簽署者，向您遞交請願書《${v.title}》。該請願書的對象是${v.target}。` +
    '簽署者名單按國家列於本信之後。',
  demand: '我們的訴求',
  petition: '請願書全文',
  request: '我們請求您將本請願書及簽署者的訴求轉交給請願對象。',
  closing: '此致 敬禮',
  summary: '各國簽署數',
  country: '國家',
  signatures: '簽署數',
  total: '總計',
  countries: (c) => `${c}個國家`,
  signers: '簽署者名單（按國家）',
  countryHeading: (name, c) => `${name} — ${c}個簽署`,
  continued: (name) => `${name}（續）`,
  unnamed: (c, _n, named) => `${named ? '另有' : ''}${c}名簽署者僅顯示國家`,
  posterUnit: () => '個簽署',
  posterCountries: (c) => `來自${c}個國家`,
  posterHandover: (target, date) => `遞交給${target} · ${date}`,
};

export const LETTER_TEXT: Record<LetterLanguage, LetterText> = { en, es, fr, ar, 'zh-Hans': zhHans, 'zh-Hant': zhHant };

// Latin digits in every language (the Arabic packets too): what embassies' registries and pdftotext both read alike.
// A formatter is costly to make (a fraction of a millisecond) and is asked for on every country heading and table row.
const countFormats = new Map<LetterLanguage, Intl.NumberFormat>();
export const formatCount = (language: LetterLanguage, n: number): string => {
  let format = countFormats.get(language);
  if (!format) countFormats.set(language, (format = new Intl.NumberFormat(`${language}-u-nu-latn`)));
  return format.format(n);
};
export const formatDate = (language: LetterLanguage, date: Date): string =>
  new Intl.DateTimeFormat(`${language}-u-nu-latn`, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
