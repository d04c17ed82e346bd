import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { LANGUAGE_CODES } from '../server/i18n/languages.js';
import { DEMO_PETITION } from '../server/petitions/demo-petition.js';
import { languagesOf } from '../server/petitions/petition-text.js';
import type { PetitionText } from '../server/petitions/petition-types.js';
import { aPetitionForm, signedIn, type AdminClient } from './helpers/admin.js';
import { getJson } from './helpers/builders.js';
import { startStack, type Stack } from './helpers/stack.js';
import { attribute, aWebClient, fieldValue, tagWithId, textOf } from './helpers/web-client.js';

let stack: Stack;
let organiser: AdminClient;
before(async () => {
  stack = await startStack();
  organiser = await signedIn(stack, 'organiser');
});
after(async () => {
  await stack.stop();
});

const ENGLISH: PetitionText = { title: 'Free the journalists', summary: 'Reporters are held for their work.', body: 'The English body.', target: 'The ministry of justice' };
const SPANISH: PetitionText = { title: 'Liberen a los periodistas', summary: 'Hay periodistas detenidos por su trabajo.', body: 'El cuerpo en español.', target: 'El Ministerio de Justicia' };
const ARABIC: PetitionText = { title: 'أطلقوا سراح الصحفيين', summary: 'صحفيون محتجزون بسبب عملهم.', body: 'النص بالعربية.', target: 'وزارة العدل' };

const asFields = (lang: string, text: PetitionText) => ({ [`title-${lang}`]: text.title, [`summary-${lang}`]: text.summary, [`body-${lang}`]: text.body, [`target-${lang}`]: text.target });
const aForm = (overrides: Record<string, string> = {}) =>
  aPetitionForm({ slug: `languages-${randomBytes(4).toString('hex')}`, language: 'en', ...ENGLISH, ...asFields('es', SPANISH), ...asFields('ar', ARABIC), ...overrides });

/** An open petition in English, Spanish and Arabic, created through the workspace form. */
async function anOpenPetition(overrides: Record<string, string> = {}) {
  const form = aForm(overrides);
  const created = await organiser.submit('/admin/petitions', form, '/admin/petitions/new');
  assert.equal(created.status, 303, created.html);
  const opened = await organiser.submit(`/admin/petitions/${form.slug}/open`, {}, `/admin/petitions/${form.slug}/edit`);
  assert.equal(opened.status, 303);
  return form;
}
const stored = (slug: string) => stack.services.petitionAdmin.find(slug);
const page = (path: string) => aWebClient(stack.baseUrl).get(path);
const h1 = (html: string) => textOf(html, /<h1\b[^>]*>/);
const body = (html: string) => textOf(html, /<div class="body"[^>]*>/);
const htmlTag = (html: string) => /<html\b[^>]*>/.exec(html)?.[0];
/** The text of a whole element (nested tags stripped, spaces collapsed), from its opening tag to `close`. */
const wholeText = (html: string, open: string, close: string) => {
  const at = html.indexOf(open);
  return at < 0 ? undefined : html.slice(at, html.indexOf(close, at)).replace(/<[^>]+>/g, '').replace(/[ \t\r\n]+/g, ' ').trim();
};
const languagesLine = (html: string) => wholeText(html, '<p class="petition-languages" id="petition-languages">', '</p>');

describe('writing a petition in several languages', () => {
  test('when an organiser saves Spanish and Arabic texts, then both are stored as translations and the English stays the main text', async () => {
    const form = await anOpenPetition();

    const petition = await stored(form.slug);
    assert.equal(petition.language, 'en');
    assert.deepEqual([petition.title, petition.summary, petition.body, petition.target], [ENGLISH.title, ENGLISH.summary, ENGLISH.body, ENGLISH.target]);
    assert.deepEqual(petition.translations, { es: SPANISH, ar: ARABIC });
  });

  test('when the edit form opens, then each other language has its own section with its lang and dir, and the main language none', async () => {
    const form = await anOpenPetition();

    const edit = await organiser.get(`/admin/petitions/${form.slug}/edit`);

    assert.equal(fieldValue(edit.html, 'language'), 'en');
    assert.equal(tagWithId(edit.html, 'translation-en'), undefined, 'no section for the main language');
    const state = (lang: string) => wholeText(edit.html, `<details id="translation-${lang}"`, '</summary>');
    assert.deepEqual([state('ar'), state('fr')], ['العربية · complete', 'Français · not written']);
    assert.equal(fieldValue(edit.html, 'body-ar'), ARABIC.body);
    const arabicTitle = tagWithId(edit.html, 'title-ar');
    assert.deepEqual([attribute(arabicTitle, 'lang'), attribute(arabicTitle, 'dir')], ['ar', 'rtl']);
    assert.equal(attribute(tagWithId(edit.html, 'title'), 'dir'), 'auto', 'the main text is typed in any direction');
  });

  test('when a translation is half filled, then 422 names each missing field, shows what was typed, and nothing changes', async () => {
    const form = await anOpenPetition();
    const before = await stored(form.slug);

    const res = await organiser.submit(
      `/admin/petitions/${form.slug}/edit`,
      { ...form, title: 'A new English title', 'title-fr': 'Libérez les journalistes', 'summary-fr': 'Des journalistes sont détenus.' },
      `/admin/petitions/${form.slug}/edit`,
    );

    assert.equal(res.status, 422);
    const errors = ['title-fr', 'summary-fr', 'body-fr', 'target-fr'].filter((field) => tagWithId(res.html, `${field}-error`));
    assert.deepEqual(errors, ['body-fr', 'target-fr']);
    assert.match(textOf(res.html, /<p class="field-error" id="body-fr-error">/) ?? '', /Fill in this field too/);
    assert.equal(fieldValue(res.html, 'title-fr'), 'Libérez les journalistes');
    assert.match(tagWithId(res.html, 'translation-fr') ?? '', /\sopen/, 'the language that needs attention is unfolded');
    assert.deepEqual(await stored(form.slug), before);
  });

  test('when a translation\'s title carries a CRLF and a mail header, then it is refused as the main title would be', async () => {
    const form = aForm({ 'title-es': 'Liberen\r\nBcc: x@evil.example' });
    const res = await organiser.submit('/admin/petitions', form, '/admin/petitions/new');
    assert.equal(res.status, 422);
    assert.match(textOf(res.html, /<p class="field-error" id="title-es-error">/) ?? '', /single line/);
    await assert.rejects(stored(form.slug), /no petition/);
  });

  test('when the main language chosen still has its own section filled in, then 422 on the main language and nothing changes', async () => {
    const form = await anOpenPetition();
    const before = await stored(form.slug);

    const res = await organiser.submit(`/admin/petitions/${form.slug}/edit`, { ...form, language: 'es' }, `/admin/petitions/${form.slug}/edit`);

    assert.equal(res.status, 422);
    assert.match(textOf(res.html, /<p class="field-error" id="language-error">/) ?? '', /its own text below/);
    assert.equal(fieldValue(res.html, 'title-es'), SPANISH.title, 'the Spanish section is still shown, as typed');
    assert.deepEqual(await stored(form.slug), before);
  });

  test('when every field of a translation is emptied, then the language is removed and the audit names it', async () => {
    const form = await anOpenPetition();

    const res = await organiser.submit(`/admin/petitions/${form.slug}/edit`, { ...form, ...asFields('ar', { title: '', summary: '', body: '', target: '' }) }, `/admin/petitions/${form.slug}/edit`);

    assert.equal(res.status, 303, res.html);
    assert.deepEqual(Object.keys((await stored(form.slug)).translations), ['es']);
    const [entry] = await stack.services.audit.latest(1, { action: 'petition.update' });
    assert.deepEqual(entry?.details, { changed: ['translations.ar'] });
  });

  test('when a petition is written in Spanish first, then Spanish is its main language and English a translation', async () => {
    const form = await anOpenPetition({ language: 'es', ...SPANISH, ...asFields('es', { title: '', summary: '', body: '', target: '' }), ...asFields('en', ENGLISH) });

    const petition = await stored(form.slug);
    assert.deepEqual([petition.language, petition.title, Object.keys(petition.translations)], ['es', SPANISH.title, ['en', 'ar']]);
    const french = await page(`/fr/petitions/${form.slug}`);
    assert.equal(h1(french.html), SPANISH.title);
    assert.match(textOf(french.html, /<p[^>]*id="language-note"[^>]*>/) ?? '', /langue d’origine\u00a0: espagnol/);
  });
});

describe('reading a petition in several languages', () => {
  test('when a Spanish reader opens the page, then the Spanish text is shown without a note', async () => {
    const form = await anOpenPetition();

    const res = await page(`/es/petitions/${form.slug}`);

    assert.equal(res.status, 200);
    assert.match(htmlTag(res.html) ?? '', /lang="es" dir="ltr"/);
    assert.deepEqual([h1(res.html), body(res.html)], [SPANISH.title, SPANISH.body]);
    assert.match(res.html, new RegExp(SPANISH.target));
    assert.equal(tagWithId(res.html, 'language-note'), undefined);
  });

  test('when an Arabic reader opens the page, then the Arabic text is shown, right to left', async () => {
    const form = await anOpenPetition();

    const res = await page(`/ar/petitions/${form.slug}`);

    assert.match(htmlTag(res.html) ?? '', /lang="ar" dir="rtl"/);
    assert.deepEqual([h1(res.html), body(res.html)], [ARABIC.title, ARABIC.body]);
    assert.equal(tagWithId(res.html, 'language-note'), undefined);
  });

  test('when a French reader opens a petition without French, then the English text is shown, marked English, with a note in French', async () => {
    const form = await anOpenPetition();

    const res = await page(`/fr/petitions/${form.slug}`);

    assert.match(htmlTag(res.html) ?? '', /lang="fr"/);
    assert.equal(
      textOf(res.html, /<p[^>]*id="language-note"[^>]*>/),
      'Cette pétition n’est pas encore disponible en français. Elle est affichée dans sa langue d’origine\u00a0: anglais.',
    );
    assert.match(/<h1\b[^>]*>/.exec(res.html)?.[0] ?? '', /lang="en" dir="ltr"/);
    assert.match(/<div class="body"[^>]*>/.exec(res.html)?.[0] ?? '', /lang="en" dir="ltr"/);
    assert.deepEqual([h1(res.html), body(res.html)], [ENGLISH.title, ENGLISH.body]);
  });

  test('when a Traditional Chinese reader opens it, then the note is in Traditional Chinese', async () => {
    const form = await anOpenPetition();
    const res = await page(`/zh-Hant/petitions/${form.slug}`);
    assert.equal(textOf(res.html, /<p[^>]*id="language-note"[^>]*>/), '這項請願尚無繁體中文版本，目前以原文語言（英文）顯示。');
  });

  test('when the home page is read in Spanish and in French, then each card is in Spanish, or in English marked as such', async () => {
    const form = await anOpenPetition();
    const card = (html: string) => new RegExp(`<li class="card">(?:(?!</li>)[\\s\\S])*/petitions/${form.slug}"(?:(?!</li>)[\\s\\S])*</li>`).exec(html)?.[0] ?? '';

    const spanish = card((await page('/es/')).html);
    const french = card((await page('/fr/')).html);

    assert.match(spanish, new RegExp(`<h2><a href="/es/petitions/${form.slug}">${SPANISH.title}</a></h2>`));
    assert.match(french, new RegExp(`<h2 lang="en" dir="ltr"><a href="/fr/petitions/${form.slug}">${ENGLISH.title}</a></h2>`));
  });

  test('when the API is asked for Arabic, then it answers the Arabic text, its language and every language the petition has', async () => {
    const form = await anOpenPetition();

    const arabic = await getJson(`${stack.baseUrl}/api/v1/petitions/${form.slug}?lang=ar`);
    const french = await getJson(`${stack.baseUrl}/api/v1/petitions/${form.slug}?lang=fr`);

    assert.equal(arabic.status, 200);
    const pick = (b: Record<string, unknown>) => ({ title: b.title, summary: b.summary, target: b.target, language: b.language, languages: b.languages });
    assert.deepEqual(pick(arabic.body), { title: ARABIC.title, summary: ARABIC.summary, target: ARABIC.target, language: 'ar', languages: ['en', 'es', 'ar'] });
    assert.deepEqual(pick(french.body), { title: ENGLISH.title, summary: ENGLISH.summary, target: ENGLISH.target, language: 'en', languages: ['en', 'es', 'ar'] });
  });

  test('when the API list is asked for Spanish by Accept-Language, then the petition comes in Spanish', async () => {
    const form = await anOpenPetition();

    const res = await fetch(`${stack.baseUrl}/api/v1/petitions`, { headers: { 'accept-language': 'es-MX,es;q=0.9' } });
    const { data } = (await res.json()) as { data: { slug: string; title: string; language: string }[] };

    const item = data.find((p) => p.slug === form.slug);
    assert.deepEqual(item && { title: item.title, language: item.language }, { title: SPANISH.title, language: 'es' });
  });
});

describe('the workspace shows which languages are complete', () => {
  test('when the dashboard and the petition list are opened, then they name the complete languages, main first, and the missing ones', async () => {
    const form = await anOpenPetition();
    const expected = 'Languages English (main) · Español · العربية — missing: Français, 简体中文, 繁體中文';

    const dashboard = await organiser.get(`/admin/petitions/${form.slug}`);
    const list = await organiser.get('/admin');

    assert.equal(languagesLine(dashboard.html), expected);
    const row = new RegExp(`<tr><td><a href="/admin/petitions/${form.slug}"[\\s\\S]*?</tr>`).exec(list.html)?.[0] ?? '';
    assert.equal(wholeText(row, '<td class="petition-languages">', '</td>'), expected.replace('Languages ', ''));
    assert.match(/<span[^>]*>العربية<\/span>/.exec(dashboard.html)?.[0] ?? '', /lang="ar" dir="rtl"/);
  });

  test('when the workspace is in French, then the languages line is in French', async () => {
    const form = await anOpenPetition();
    const french = await signedIn(stack, 'organiser');
    await french.get('/admin?lang=fr');

    const dashboard = await french.get(`/admin/petitions/${form.slug}`);

    assert.equal(languagesLine(dashboard.html), 'Langues English (principale) · Español · العربية — manquantes\u00a0: Français, 简体中文, 繁體中文');
  });
});

describe('previewing each language', () => {
  test('when an organiser previews in Arabic, then the page speaks Arabic, right to left, with the Arabic text and the inert form', async () => {
    const form = await anOpenPetition();

    const res = await organiser.get(`/admin/petitions/${form.slug}/preview/ar`);

    assert.equal(res.status, 200);
    assert.match(htmlTag(res.html) ?? '', /lang="ar" dir="rtl"/);
    assert.deepEqual([h1(res.html), body(res.html)], [ARABIC.title, ARABIC.body]);
    assert.ok(tagWithId(res.html, 'preview-banner'), 'the preview banner is shown');
    assert.doesNotMatch(res.html, /<form[^>]*action="[^"]*\/petitions\/[^"]*\/sign"/, 'no working sign form');
    const switcher = [...res.html.matchAll(/<a href="([^"]*)" lang="([^"]*)" hreflang/g)].map((m) => `${m[2]} ${m[1]}`);
    assert.deepEqual(switcher, LANGUAGE_CODES.map((code) => `${code} /admin/petitions/${form.slug}/preview/${code}`), 'the switcher moves between previews');
  });

  test('when an organiser previews a language the petition lacks, then the fallback note shows in that language, and the workspace keeps its own', async () => {
    const form = await anOpenPetition();

    const res = await organiser.get(`/admin/petitions/${form.slug}/preview/zh-Hans`);
    const workspace = await organiser.get('/admin');

    assert.match(htmlTag(res.html) ?? '', /lang="zh-Hans"/);
    assert.equal(textOf(res.html, /<p[^>]*id="language-note"[^>]*>/), '这份请愿尚无简体中文版本，现以原文语言（英语）显示。');
    assert.equal(h1(res.html), ENGLISH.title);
    assert.match(htmlTag(workspace.html) ?? '', /lang="en"/);
  });

  test('when the dashboard is opened, then it links to the preview in every language; an unknown language is a 404', async () => {
    const form = await anOpenPetition();

    const dashboard = await organiser.get(`/admin/petitions/${form.slug}`);
    const unknown = await organiser.get(`/admin/petitions/${form.slug}/preview/xx`);

    const previews = /<p class="petition-previews" id="previews">[\s\S]*?<\/p>/.exec(dashboard.html)?.[0] ?? '';
    const links = [...previews.matchAll(/href="\/admin\/petitions\/[^"]+\/preview\/([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(links, ['en', 'es', 'ar', 'fr', 'zh-Hans', 'zh-Hant']);
    assert.equal(unknown.status, 404);
  });
});

describe('the demo petition', () => {
  test('when it is read, then it has a distinct text in each of the six languages', () => {
    assert.deepEqual(languagesOf({ language: DEMO_PETITION.language ?? 'en', translations: DEMO_PETITION.translations ?? {} }), [...LANGUAGE_CODES]);
    const sameAsEnglish = Object.entries(DEMO_PETITION.translations ?? {}).flatMap(([lang, text]) =>
      (['title', 'summary', 'body', 'target'] as const).filter((f) => !text[f] || text[f] === DEMO_PETITION[f]).map((f) => `${lang}.${f}`),
    );
    assert.deepEqual(sameAsEnglish, []);
  });

  test('when the demo is seeded again over one stored before languages, then the missing translations are added and an organiser’s own kept', async () => {
    const ownSpanish = { ...SPANISH, title: 'Nuestro título' };
    await stack.services.petitionService.create({ ...DEMO_PETITION, translations: { es: ownSpanish } });

    await stack.services.seedDemo();

    const demo = await stored(DEMO_PETITION.slug);
    assert.deepEqual(demo.translations, { ...DEMO_PETITION.translations, es: ownSpanish });
    const arabic = await page(`/ar/petitions/${DEMO_PETITION.slug}`);
    assert.equal(h1(arabic.html), DEMO_PETITION.translations?.ar?.title);
  });
});
