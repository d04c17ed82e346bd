import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { LANGUAGE_CODES, localisedPath } from '../server/i18n/languages.js';
import { findPdfFonts, type PdfFonts } from '../server/packets/pdf/fonts.js';
import { createGlyphText } from '../server/share-image/glyph-text.js';
import { countStep } from '../server/share-image/share-image-service.js';
import { renderShareCard, type ShareCard } from '../server/share-image/share-card.js';
import { aPetitionForm } from './helpers/admin.js';
import { givenPetition } from './helpers/builders.js';
import { startStack, type Stack } from './helpers/stack.js';

const imagePath = (slug: string, lang = 'en') => localisedPath(lang, `/petitions/${slug}/share.png`);

async function fetchImage(stack: Stack, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.baseUrl}${path}`, { headers, redirect: 'manual' });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** The title's band of the card (below the site name, above the count), as grey levels. */
async function titleArea(png: Buffer): Promise<Buffer> {
  return sharp(png).extract({ left: 72, top: 125, width: 1056, height: 320 }).greyscale().raw().toBuffer();
}

/** Share of the title band's pixels that differ clearly between two cards: near 0 when both hold the same boxes. */
async function titleDifference(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all([titleArea(a), titleArea(b)]);
  let differing = 0;
  for (let i = 0; i < x.length; i++) if (Math.abs(x[i]! - y[i]!) > 64) differing++;
  return differing / x.length;
}

/** The same title with every letter a private-use character, which no font draws: a row of .notdef boxes. */
const tofu = (title: string) => title.replace(/\S/gu, '\uE000');
/** Above this, a title is not the boxes its tofu twin draws; a real title differs on several percent of the band. */
const BOXES_AT_MOST = 0.005;

// One-line titles with words of equal length: without the fonts, each letter is a box and the boxes of the real
// title and of its tofu twin fall on the same pixels whatever the direction and the word breaks.
const SCRIPT_TITLES = { ar: 'الحرية للجميع', 'zh-Hans': '释放所有被拘留者', 'zh-Hant': '釋放所有被拘留者' } as const;

test('when the count grows, then the image moves on at its third significant figure', () => {
  const steps = [0, 99, 999, 1_234, 45_678, 323_832, 2_000_000].map((total) => [total, countStep(total)]);
  assert.deepEqual(steps, [[0, 1], [99, 1], [999, 1], [1_234, 10], [45_678, 100], [323_832, 1_000], [2_000_000, 10_000]]);
});

describe('share image', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack.stop();
  });

  // First in the file, so that the drawing thread and its fonts start cold, as after a deployment.
  test('when a page is requested while its first share image is drawn, then the page answers before the image', async (t) => {
    const { slug } = await givenPetition(stack, { title: 'Free the detained writers and publishers', translations: { ar: { title: 'أطلقوا سراح الكتّاب والناشرين المعتقلين', summary: 'ملخص.', body: 'نص.', target: 'الحكومة' } } });
    const started = performance.now();
    const image = fetchImage(stack, imagePath(slug, 'ar')).then((r) => ({ ...r, ms: performance.now() - started }));
    const page = fetch(`${stack.baseUrl}/ar/petitions/${slug}`).then(async (r) => ({ status: r.status, html: await r.text(), ms: performance.now() - started }));
    const [imageDone, pageDone] = await Promise.all([image, page]);
    assert.equal(pageDone.status, 200, pageDone.html.slice(0, 300));
    assert.equal(imageDone.status, 200);
    t.diagnostic(`page ${pageDone.ms.toFixed(0)} ms, first image ${imageDone.ms.toFixed(0)} ms`);
    assert.ok(pageDone.ms < imageDone.ms, `the page took ${pageDone.ms.toFixed(0)} ms, the image it did not wait for ${imageDone.ms.toFixed(0)} ms`);
  });

  test('when a petition\'s share image is fetched in each language, then it is a 1200×630 PNG, publicly cacheable, with a strong ETag', async () => {
    const { slug } = await givenPetition(stack);
    const problems: string[] = [];
    for (const lang of LANGUAGE_CODES) {
      const res = await fetchImage(stack, imagePath(slug, lang));
      const meta = res.status === 200 ? await sharp(res.body).metadata() : null;
      const seen = { status: res.status, type: res.headers.get('content-type'), format: meta?.format, width: meta?.width, height: meta?.height };
      const expected = { status: 200, type: 'image/png', format: 'png', width: 1200, height: 630 };
      if (JSON.stringify(seen) !== JSON.stringify(expected)) problems.push(`${lang}: ${JSON.stringify(seen)}`);
      if (!/^public, max-age=\d{3,}/.test(res.headers.get('cache-control') ?? '')) problems.push(`${lang}: Cache-Control ${res.headers.get('cache-control')}`);
      if (!/^"[\w-]{20,}"$/.test(res.headers.get('etag') ?? '')) problems.push(`${lang}: ETag ${res.headers.get('etag')}`);
      if (res.headers.get('set-cookie')) problems.push(`${lang}: sets a cookie`);
    }
    assert.deepEqual(problems, []);
  });

  test('when the ETag comes back in If-None-Match, then the answer is 304 with no body', async () => {
    const { slug } = await givenPetition(stack);
    const first = await fetchImage(stack, imagePath(slug, 'fr'));
    const etag = first.headers.get('etag')!;
    const again = await fetchImage(stack, imagePath(slug, 'fr'), { 'if-none-match': etag });
    assert.deepEqual({ status: again.status, bytes: again.body.length, etag: again.headers.get('etag') }, { status: 304, bytes: 0, etag });
    const other = await fetchImage(stack, imagePath(slug, 'fr'), { 'if-none-match': '"something-else-entirely-000000"' });
    assert.equal(other.status, 200);
  });

  test('when the petition is unknown, a draft, or the language prefix is not one of ours, then the answer is 404', async () => {
    const { slug: draft } = await givenPetition(stack, { status: 'draft' });
    const { slug: open } = await givenPetition(stack);
    const paths = [imagePath('no-such-petition'), imagePath('no-such-petition', 'ar'), imagePath(draft), imagePath(draft, 'zh-Hans'), `/en/petitions/${open}/share.png`, `/xx/petitions/${open}/share.png`];
    const statuses = await Promise.all(paths.map(async (p) => `${p} ${(await fetchImage(stack, p)).status}`));
    assert.deepEqual(statuses, paths.map((p) => `${p} 404`));
  });

  test('when the title changes, then the last image is served at once and the new one replaces it once drawn', async () => {
    const form = aPetitionForm({ title: 'Protect the river' });
    await stack.services.petitionAdmin.create(form);
    await stack.services.petitionAdmin.open(form.slug);
    const before = await fetchImage(stack, imagePath(form.slug));
    assert.equal(before.status, 200);

    await stack.services.petitionAdmin.update(form.slug, { ...form, title: 'Protect the river and its forests' });
    const atOnce = await fetchImage(stack, imagePath(form.slug));
    assert.equal(atOnce.headers.get('etag'), before.headers.get('etag'), 'the first request after the edit gets the last image, not a wait');
    let after = atOnce;
    for (let i = 0; i < 50 && after.headers.get('etag') === before.headers.get('etag'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await fetchImage(stack, imagePath(form.slug));
    }
    assert.notEqual(after.headers.get('etag'), before.headers.get('etag'), 'no new image within 5 s of the edit');
    assert.ok((await titleDifference(before.body, after.body)) > BOXES_AT_MOST, 'the new image shows another title');
  });

  test('when titles are Arabic and Chinese, then they are drawn in their own glyphs, not boxes', async (t) => {
    const differences: Record<string, number> = {};
    for (const [lang, title] of Object.entries(SCRIPT_TITLES)) {
      const text = { summary: 's', body: 'b', target: 't' };
      const real = await givenPetition(stack, { language: lang as keyof typeof SCRIPT_TITLES, title, ...text });
      const boxes = await givenPetition(stack, { language: lang as keyof typeof SCRIPT_TITLES, title: tofu(title), ...text });
      const [a, b] = await Promise.all([fetchImage(stack, imagePath(real.slug, lang)), fetchImage(stack, imagePath(boxes.slug, lang))]);
      differences[lang] = await titleDifference(a.body, b.body);
    }
    t.diagnostic(`title band differing from boxes: ${JSON.stringify(differences)}`);
    const boxed = Object.entries(differences).filter(([, d]) => d <= BOXES_AT_MOST);
    assert.deepEqual(boxed, [], `share of the title band that differs from a row of boxes: ${JSON.stringify(differences)}`);
  });

  test('when the Arabic and Chinese fonts are left out of the font list, then the same check sees boxes', async () => {
    const fonts = findPdfFonts(stack.services.config.PDF_FONT_DIRS.split(':'));
    const latinOnly = Object.fromEntries(Object.entries(fonts.bold).filter(([family]) => family !== 'arabic' && !family.startsWith('cjk')));
    const text = createGlyphText({ regular: fonts.regular, bold: latinOnly } satisfies PdfFonts);
    const card = (lang: string, title: string): ShareCard => ({ language: lang, rtl: lang === 'ar', title, titleLanguage: lang, countLine: '12', goalLine: '1%', progress: 0.01, siteName: 'Handover', image: null });
    const differences: Record<string, number> = {};
    for (const [lang, title] of Object.entries(SCRIPT_TITLES)) {
      differences[lang] = await titleDifference(await renderShareCard(card(lang, title), text), await renderShareCard(card(lang, tofu(title)), text));
    }
    const drawn = Object.entries(differences).filter(([, d]) => d > BOXES_AT_MOST);
    assert.deepEqual(drawn, [], `without their fonts these titles should be boxes: ${JSON.stringify(differences)}`);
  });
});
