import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import jsQRModule from 'jsqr';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { localisedPath, type Language } from '../server/i18n/languages.js';
import { NETWORKS, type Network } from '../server/sharing/share-links.js';
import { launchBrowser } from './helpers/browser.js';
import { givenPetition } from './helpers/builders.js';
import { confirmTokenFrom } from './helpers/smtp.js';
import { startStack, type Stack } from './helpers/stack.js';

const run = promisify(execFile);
// jsqr is CommonJS with its types on `default`.
const jsQR = jsQRModule.default;

// Characters that break a share link unless encoded: quotes, &, #, ?, +, a percent sign and non-Latin letters.
const TITLE = 'Free "Ahmed" & Li Wei: 100% now? #FreeThem + more';
const TRANSLATIONS = {
  ar: { title: 'أطلقوا سراح المحتجزين فورًا', summary: 'أطلقوا سراحهم', body: 'الفقرة الأولى', target: 'الحكومة' },
  'zh-Hans': { title: '立即释放被拘留者', summary: '释放他们', body: '第一段', target: '政府' },
  'zh-Hant': { title: '立即釋放被拘留者', summary: '釋放他們', body: '第一段', target: '政府' },
};

let stack: Stack;
let browser: Browser;
let slug: string;
let petitionId: string;

before(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  slug = (await givenPetition(stack, { title: TITLE, translations: TRANSLATIONS })).slug;
  petitionId = (await stack.services.petitionService.findVisible(slug)).id;
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

const base = () => stack.services.config.BASE_URL;
const shared = (channel: string) => `${base()}/petitions/${slug}?ref=${channel}`;
const t = (lang: Language, key: string, vars?: Record<string, unknown>) => stack.services.i18n.t(lang, key, vars);

async function aContext(options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: stack.baseUrl, ...options });
  // tsx names the functions declared inside page.evaluate() with a helper that exists only in Node.
  await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  return context;
}

async function open(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  const response = await page.goto(url, { waitUntil: 'load' });
  assert.equal(response?.status(), 200, url);
  return page;
}

/** What each network's share address must carry, decoded: its documented address and query parameters. */
function expectedShare(network: Network, lang: Language, title: string): { at: string; params: Record<string, string> } {
  const url = shared(network);
  const text = t(lang, 'sharing.text', { title });
  switch (network) {
    case 'whatsapp':
      return { at: 'https://wa.me/', params: { text: `${text} ${url}` } };
    case 'telegram':
      return { at: 'https://t.me/share/url', params: { url, text } };
    case 'x':
      return { at: 'https://x.com/intent/post', params: { text, url } };
    case 'facebook':
      return { at: 'https://www.facebook.com/sharer/sharer.php', params: { u: url } };
    case 'linkedin':
      return { at: 'https://www.linkedin.com/sharing/share-offsite/', params: { url } };
    case 'bluesky':
      return { at: 'https://bsky.app/intent/compose', params: { text: `${text} ${url}` } };
    case 'vk':
      return { at: 'https://vk.com/share.php', params: { url, title } };
    case 'weibo':
      return { at: 'https://service.weibo.com/share/share.php', params: { url, title: text } };
    case 'line':
      return { at: 'https://line.me/R/share', params: { text: `${text} ${url}` } };
    case 'email':
      return { at: 'mailto:', params: { subject: t(lang, 'sharing.emailSubject', { title }), body: `${text}\r\n\r\n${url}` } };
  }
}

const decodePng = async (png: Buffer): Promise<string | undefined> => {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height)?.data;
};

describe('share links', () => {
  for (const lang of ['en', 'ar', 'zh-Hant'] as const) {
    test(`when the petition page is opened in ${lang}, then each network's link carries the petition's unprefixed address with its channel as ref, encoded in that network's format, with the text in ${lang}`, async () => {
      const context = await aContext({ locale: lang });
      const page = await open(context, localisedPath(lang, `/petitions/${slug}`));
      const links = await page.locator('.share-block a[data-channel]').evaluateAll((as) => as.map((a) => ({ channel: a.getAttribute('data-channel')!, href: a.getAttribute('href')! })));
      await context.close();

      assert.deepEqual(links.map((l) => l.channel), [...NETWORKS]);
      const title = lang === 'en' ? TITLE : TRANSLATIONS[lang].title;
      const wrong = links.flatMap(({ channel, href }) => {
        const url = new URL(href);
        const expected = expectedShare(channel as Network, lang, title);
        const actual = { at: url.protocol === 'mailto:' ? 'mailto:' : `${url.origin}${url.pathname}`, params: Object.fromEntries(url.searchParams) };
        return JSON.stringify(actual) === JSON.stringify(expected) ? [] : [{ channel, href, actual, expected }];
      });
      assert.deepEqual(wrong, []);
      // Spaces as %20, never "+": mail programs and some apps read "+" literally.
      assert.deepEqual(links.filter((l) => /[ +]/.test(l.href)).map((l) => l.href), []);
    });
  }

  test('when the check-email and thank-you pages are shown, then each has the share block, the thank-you text saying "I signed"', async () => {
    const context = await aContext();
    const checkEmail = await open(context, `/petitions/${slug}/check-email`);
    const whatsapp = async (page: Page) => new URL((await page.locator('.share-block a[data-channel="whatsapp"]').getAttribute('href'))!).searchParams.get('text');
    assert.equal(await whatsapp(checkEmail), `${t('en', 'sharing.text', { title: TITLE })} ${shared('whatsapp')}`);
    const thanks = await open(context, `/petitions/${slug}/thanks`);
    assert.equal(await whatsapp(thanks), `${t('en', 'sharing.textSigned', { title: TITLE })} ${shared('whatsapp')}`);
    assert.equal(await thanks.locator('#share-url').inputValue(), shared('copy'));
    await context.close();
  });
});

describe('copy and the share sheet', () => {
  test('when the copy button is pressed, then the clipboard holds the address with ref=copy and the block says the link was copied', async () => {
    const context = await aContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await open(context, `/petitions/${slug}`);
    const status = page.locator('.share-block [data-copied]');
    assert.equal(await status.textContent(), '', 'nothing says "copied" before copying');

    await page.locator('.share-block button[data-copy]').click();
    await page.waitForFunction(() => document.querySelector('.share-block [data-copied]')?.textContent !== '');

    assert.equal(await status.textContent(), t('en', 'sharing.copied'));
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), shared('copy'));
    await context.close();
  });

  test('when the browser has no share sheet, then no share button shows; when it has one, then the button shares the address with ref=native', async () => {
    const without = await aContext();
    const plain = await open(without, `/petitions/${slug}`);
    assert.equal(await plain.evaluate(() => typeof navigator.share), 'undefined', "this Chromium has no share sheet (Linux); if it grew one, this test's first half says nothing");
    assert.equal(await plain.locator('[data-native-share]').isVisible(), false);
    await without.close();

    // The browser's share sheet is the one thing a test cannot open: a page script stands in for it, recording what it is given.
    const withSheet = await aContext();
    await withSheet.addInitScript({
      content: 'Object.defineProperty(navigator, "share", { value: (data) => { window.__shared = data; return Promise.resolve(); } });',
    });
    const page = await open(withSheet, localisedPath('ar', `/petitions/${slug}`));
    await page.locator('[data-native-share] button').click();
    const data = await page.waitForFunction(() => (window as unknown as { __shared?: unknown }).__shared).then((h) => h.jsonValue());
    assert.deepEqual(data, { title: TRANSLATIONS.ar.title, text: t('ar', 'sharing.text', { title: TRANSLATIONS.ar.title }), url: shared('native') });
    await withSheet.close();
  });
});

describe('QR code and poster', () => {
  test('when the QR code is fetched as PNG and as SVG, under any language prefix, then each decodes to the petition address with ref=qr', async () => {
    const decoded: Record<string, string | undefined> = {};
    for (const prefix of ['', '/es', '/zh-Hans']) {
      const png = await fetch(`${stack.baseUrl}${prefix}/petitions/${slug}/qr.png`);
      assert.equal(png.headers.get('content-type'), 'image/png');
      decoded[`${prefix}/qr.png`] = await decodePng(Buffer.from(await png.arrayBuffer()));
      const svg = await fetch(`${stack.baseUrl}${prefix}/petitions/${slug}/qr.svg`);
      assert.match(svg.headers.get('content-type') ?? '', /^image\/svg\+xml/);
      decoded[`${prefix}/qr.svg`] = await decodePng(await sharp(Buffer.from(await svg.text()), { density: 300 }).png().toBuffer());
    }
    assert.deepEqual(Object.values(decoded), Array(6).fill(shared('qr')), JSON.stringify(decoded));
  });

  test('when the QR code of an unknown petition is asked for, then the answer is 404', async () => {
    const statuses = await Promise.all(['qr.png', 'qr.svg', 'poster.pdf'].map(async (file) => (await fetch(`${stack.baseUrl}/petitions/no-such-petition/${file}`)).status));
    assert.deepEqual(statuses, [404, 404, 404]);
  });

  for (const lang of ['ar', 'zh-Hans', 'zh-Hant', 'en'] as const) {
    test(`when the poster is printed from the ${lang} page, then it is one A4 page whose text layer has the ${lang} title and "Scan to sign" in real glyphs, and its QR code opens the petition with ref=poster`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'handover-poster-'));
      try {
        const res = await fetch(`${stack.baseUrl}${localisedPath(lang, `/petitions/${slug}/poster.pdf`)}`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'application/pdf');
        const file = path.join(dir, 'poster.pdf');
        writeFileSync(file, Buffer.from(await res.arrayBuffer()));

        const info = (await run('pdfinfo', [file])).stdout;
        assert.match(info, /^Pages:\s+1$/m);
        assert.match(info, /^Page size:\s+595\.28 x 841\.89 pts \(A4\)/m);
        // pdftotext writes U+00A0 where right-to-left words were joined (server/packets/pdf/typesetter.ts) and wraps them in embedding marks.
        const text = (await run('pdftotext', [file, '-'])).stdout.replace(/\u00A0/gu, ' ').replace(/[\u202A-\u202E]/gu, '').replace(/\s+/gu, ' ');
        const title = lang === 'en' ? TITLE : TRANSLATIONS[lang].title;
        // Poppler extracts an Arabic vowel mark (tanwin, shadda) as a glyph of its own, which splits its word and can move
        // that word within its line (the rendered poster reads right; the packet tests check the order of Arabic lines).
        // So: every word, compared without its marks, and every mark, each in the text layer.
        const marks = /[\u064B-\u065F\u0670]/gu;
        const lines = [title, t(lang, 'sharing.posterScan'), t(lang, 'sharing.posterPaper'), `${base()}/petitions/${slug}`];
        const extracted = text.replace(marks, '').replace(/\s+/gu, ' ');
        const missing = lines.flatMap((line) => line.replace(marks, '').split(' ')).filter((word) => !extracted.includes(word));
        assert.deepEqual(missing, [], `text layer: ${text}`);
        assert.deepEqual([...text.matchAll(marks)].map((m) => m[0]).sort(), lines.join('').match(marks)?.sort() ?? [], 'every vowel mark has its glyph');
        assert.doesNotMatch(text, /\uFFFD/u, 'no character without a glyph');
        const fonts = (await run('pdffonts', [file])).stdout;
        if (lang === 'ar') assert.match(fonts, /NotoNaskhArabic|NotoSansArabic/u);
        if (lang.startsWith('zh')) assert.match(fonts, lang === 'zh-Hant' ? /NotoSansCJKtc/u : /NotoSansCJKsc/u);

        await run('pdftoppm', ['-r', '100', '-png', '-singlefile', file, path.join(dir, 'page')]);
        assert.equal(await decodePng(readFileSync(path.join(dir, 'page.png'))), shared('poster'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('attribution', () => {
  test('when a person in a Spanish browser follows a WhatsApp link, signs and confirms, then the form kept ref=whatsapp across the language redirect and the signature is counted under whatsapp', async () => {
    const whatsapp = async () => (await stack.services.tallies.read(petitionId, { fresh: true })).refs.find((r) => r.code === 'whatsapp')?.count ?? 0;
    const before = await whatsapp();
    const context = await aContext({ locale: 'es' });
    // The link as shared points at BASE_URL; the test's server listens elsewhere.
    const page = await open(context, shared('whatsapp').replace(base(), stack.baseUrl));
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, `/es/petitions/${slug}?ref=whatsapp`);
    assert.equal(await page.locator('input[name="ref"]').inputValue(), 'whatsapp');

    const email = `whatsapp-${Date.now()}@example.org`;
    await page.fill('#firstName', 'Aynur');
    await page.fill('#lastName', 'Tohti');
    await page.fill('#email', email);
    await page.selectOption('#country', 'ES');
    await Promise.all([page.waitForURL(`**/es/petitions/${slug}/check-email`), page.locator('form[action$="/sign"] button[type="submit"]').click()]);
    await stack.smtp.waitFor(() => stack.smtp.to(email).length >= 1);
    const token = confirmTokenFrom(stack.smtp.to(email)[0]!);
    await page.goto(`/es/confirm/${token}`);
    await Promise.all([page.waitForURL(`**/es/petitions/${slug}/thanks?confirmed=1`), page.locator('form[action*="/confirm/"] button[type="submit"]').click()]);
    await context.close();

    assert.equal(await whatsapp(), before + 1);
  });
});

describe('privacy', () => {
  test('when the petition, check-email and thank-you pages are shown in four languages, then not one request leaves the site', async () => {
    const requests: string[] = [];
    const context = await aContext();
    context.on('request', (request) => requests.push(request.url()));
    for (const lang of ['en', 'ar', 'zh-Hans', 'zh-Hant'] as const) {
      for (const page of ['', '/check-email', '/thanks']) {
        const shown = await open(context, localisedPath(lang, `/petitions/${slug}${page}`));
        await shown.evaluate(() => document.fonts.ready.then(() => undefined));
        await shown.close();
      }
    }
    await context.close();

    assert.ok(requests.length >= 24, `requests seen: ${requests.length}`);
    assert.deepEqual(requests.filter((url) => !url.startsWith(`${stack.baseUrl}/`)), []);
  });
});
