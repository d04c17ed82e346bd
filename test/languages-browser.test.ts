import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { LANGUAGES, localisedPath, type LanguageInfo } from '../server/i18n/languages.js';
import { DEMO_PETITION } from '../server/petitions/demo-petition.js';
import { launchBrowser } from './helpers/browser.js';
import { startStack, type Stack } from './helpers/stack.js';

// The served family and the font package of each script (server/web/fonts.ts), and the script its text is in.
const SERVED = {
  arabic: { family: 'Noto Sans Arabic', package: 'noto-sans-arabic', script: /\p{Script=Arabic}/u },
  sc: { family: 'Noto Sans SC', package: 'noto-sans-sc', script: /\p{Script=Han}/u },
  tc: { family: 'Noto Sans TC', package: 'noto-sans-tc', script: /\p{Script=Han}/u },
} as const;
const FONT_FILE = /\.(woff2?|ttf|otf)(\?|$)/;

let stack: Stack;
let browser: Browser;
let screenshots: string;
before(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  await stack.services.seedDemo();
  screenshots = mkdtempSync(path.join(os.tmpdir(), 'handover-languages-'));
  console.log(`screenshots of the petition page at 375 px: ${screenshots}`);
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

interface Visit {
  page: Page;
  requests: { url: string; bytes: number }[];
}

const visits = new Map<string, Promise<Visit>>();
/** The demo petition page in a language at 375 px, its fonts loaded and its screenshot saved; opened once per file. */
function visit(lang: LanguageInfo): Promise<Visit> {
  let visiting = visits.get(lang.code);
  if (!visiting) visits.set(lang.code, (visiting = open(lang)));
  return visiting;
}

async function open(lang: LanguageInfo): Promise<Visit> {
  const context = await browser.newContext({ baseURL: stack.baseUrl, viewport: { width: 375, height: 812 }, locale: lang.code });
  // tsx names the functions declared inside page.evaluate() with a helper that exists only in Node.
  await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  const page = await context.newPage();
  const finished: Promise<Visit['requests'][number]>[] = [];
  page.on('requestfinished', (request) => {
    finished.push(request.sizes().then(({ responseBodySize }) => ({ url: request.url(), bytes: responseBodySize })));
  });
  const response = await page.goto(localisedPath(lang.code, `/petitions/${DEMO_PETITION.slug}`), { waitUntil: 'load' });
  assert.equal(response?.status(), 200);
  await page.evaluate(async () => {
    await document.fonts.ready;
  });
  await page.screenshot({ path: path.join(screenshots, `petition-${lang.code}.png`), fullPage: true });
  return { page, requests: await Promise.all(finished) };
}

/**
 * The fonts Chromium itself used for the glyphs of an element's own text (DevTools' "Rendered Fonts"), named by the
 * font file's family and whether it is a web font: the one way to tell the served "Noto Sans Arabic" from the copy
 * of that family a machine may have installed.
 */
async function renderedFonts(page: Page, selector: string): Promise<{ familyName: string; isCustomFont: boolean; glyphCount: number }[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
  assert.ok(nodeId, `${selector} is on the page`);
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  await cdp.detach();
  return fonts;
}

/**
 * The characters on the page drawn as boxes. Each character is drawn on a canvas in the font of the element holding
 * it and compared, pixel for pixel, with U+E000, a private-use code point no font here has (so it is drawn as the
 * missing-glyph box). Bitmaps rather than the width of a string against as many boxes: an ideograph is one em wide and
 * so is the box of many CJK fonts, and a width that differs says only that some character is not a box, not that none is.
 */
function boxesOnPage(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 64;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const draw = (font: string, text: string) => {
      ctx.clearRect(0, 0, 64, 64);
      ctx.font = font;
      ctx.fillText(text, 8, 48);
      return ctx.getImageData(0, 0, 64, 64).data.join();
    };
    const byFont = new Map<string, Set<string>>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('script, style, [hidden]')) continue;
      const style = getComputedStyle(parent);
      const font = `${style.fontWeight} 40px ${style.fontFamily}`;
      const chars = byFont.get(font) ?? new Set<string>();
      for (const char of node.textContent ?? '') if (/\S/.test(char)) chars.add(char);
      byFont.set(font, chars);
    }
    const boxes: string[] = [];
    for (const [font, chars] of byFont) {
      const box = draw(font, '\uE000');
      for (const char of chars) if (draw(font, char) === box) boxes.push(`U+${char.codePointAt(0)!.toString(16).toUpperCase()} ${char} in ${font}`);
    }
    return boxes;
  });
}

describe('the petition page in every language, in a real browser at 375 px', () => {
  for (const lang of LANGUAGES) {
    test(`when the petition page is opened in ${lang.name}, then <html> says lang="${lang.code}" dir="${lang.dir}" and every request stays on the site`, async () => {
      const { page, requests } = await visit(lang);
      assert.deepEqual(await page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir })), { lang: lang.code, dir: lang.dir });
      const elsewhere = requests.map((r) => r.url).filter((url) => !url.startsWith('data:') && new URL(url).origin !== stack.baseUrl);
      assert.deepEqual(elsewhere, []);
    });

    test(`when the petition page is opened in ${lang.name} at 375 px, then nothing makes it scroll sideways`, async () => {
      const { page } = await visit(lang);
      const widths = await page.evaluate(() => ({ content: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
      assert.ok(widths.content <= widths.viewport, `the page is ${widths.content} px wide in a ${widths.viewport} px viewport`);
    });

    test(`when the petition page is opened in ${lang.name}, then no character is drawn as a box`, async () => {
      const { page } = await visit(lang);
      assert.deepEqual(await boxesOnPage(page), []);
    });

    const served = lang.fonts ? SERVED[lang.fonts] : null;
    test(`when the petition page is opened in ${lang.name}, then it downloads ${served ? `font files of ${served.family} only` : 'no font file'}`, async (t) => {
      const { requests } = await visit(lang);
      const fonts = requests.filter((r) => FONT_FILE.test(r.url));
      const foreign = fonts.map((r) => new URL(r.url).pathname).filter((url) => !served || !url.startsWith(`/static/fonts/${served.package}/`));
      assert.deepEqual(foreign, []);
      if (served) assert.ok(fonts.length > 0, `the page downloads ${served.family}`);
      const bytes = (weight: string) => fonts.filter((r) => r.url.includes(`-${weight}-normal.`)).reduce((sum, r) => sum + r.bytes, 0);
      t.diagnostic(`${lang.code}: ${fonts.length} font files, ${bytes('400') + bytes('700')} bytes (400: ${bytes('400')}, 700: ${bytes('700')})`);
    });

    if (!served) continue;
    test(`when the petition page is opened in ${lang.name}, then its text is drawn in the ${served.family} the site serves`, async () => {
      const { page } = await visit(lang);
      const loaded = await page.evaluate((family) => [...document.fonts].filter((f) => f.family.replace(/"/g, '') === family && f.status === 'loaded').length, served.family);
      assert.ok(loaded > 0, `a face of ${served.family} is loaded`);

      // The catalogue's texts always, and the title once the petition is written in this language.
      const selectors = ['#sign-heading', 'label[for=firstName]', '.sign button[type=submit]'];
      if (served.script.test(await page.locator('h1').innerText())) selectors.push('h1');
      const notServed: string[] = [];
      for (const selector of selectors) {
        for (const font of await renderedFonts(page, selector)) {
          // The subset files name their family with a style ("Noto Sans SC Thin"): the packages build them from one variable font.
          if (!font.isCustomFont || !font.familyName.startsWith(served.family)) notServed.push(`${selector}: ${font.glyphCount} glyphs in ${font.familyName}${font.isCustomFont ? '' : ' (installed)'}`);
        }
      }
      assert.deepEqual(notServed, []);
    });
  }

  test('when a font is requested, then only the served weights exist and they are cached for a year', async () => {
    const html = await (await fetch(`${stack.baseUrl}/ar/petitions/${DEMO_PETITION.slug}`)).text();
    const stylesheet = /<link rel="stylesheet" href="(\/static\/fonts\/noto-sans-arabic\/[^"]+\/400\.css)">/.exec(html)?.[1];
    assert.ok(stylesheet, 'the Arabic page links the 400 weight of Noto Sans Arabic');
    const css = await fetch(`${stack.baseUrl}${stylesheet}`);
    const file = /url\(\.\/(files\/[\w.-]+\.woff2)\)/.exec(await css.text())?.[1];
    assert.ok(file, 'the stylesheet names its woff2 files');
    const woff2 = await fetch(new URL(file, `${stack.baseUrl}${stylesheet}`));
    const other = await fetch(new URL(file.replace('-400-', '-100-'), `${stack.baseUrl}${stylesheet}`));
    assert.deepEqual(
      [css, woff2].map((r) => [r.status, r.headers.get('cache-control')]),
      [
        [200, 'public, max-age=31536000, immutable'],
        [200, 'public, max-age=31536000, immutable'],
      ],
    );
    assert.equal(woff2.headers.get('content-type'), 'font/woff2');
    assert.equal(other.status, 404, 'weights the pages never use are not served');
  });

  test('when the petition page is opened in Arabic, then it is mirrored: the labels are right-aligned to their inputs and the brand is at the right', async () => {
    const { page } = await visit(LANGUAGES.find((l) => l.code === 'ar')!);
    const layout = await page.evaluate(() => {
      const box = (selector: string) => document.querySelector(selector)!.getBoundingClientRect();
      const text = document.createRange();
      text.selectNodeContents(document.querySelector('label[for=firstName]')!);
      const label = box('label[for=firstName]');
      const words = text.getBoundingClientRect();
      return {
        labelAlign: getComputedStyle(document.querySelector('label[for=firstName]')!).direction,
        labelRight: Math.round(label.right),
        wordsRight: Math.round(words.right),
        wordsStartInLabel: Math.round(words.left - label.left),
        inputRight: Math.round(box('#firstName').right),
        brandLeft: Math.round(box('.site-header .brand').left),
        width: document.documentElement.clientWidth,
      };
    });
    assert.equal(layout.labelAlign, 'rtl');
    assert.ok(Math.abs(layout.labelRight - layout.inputRight) <= 1, `the label's right edge (${layout.labelRight}) is the input's (${layout.inputRight})`);
    assert.ok(Math.abs(layout.wordsRight - layout.labelRight) <= 1, `the label's text ends at its right edge (${layout.wordsRight} vs ${layout.labelRight}): text-align resolves to right`);
    assert.ok(layout.wordsStartInLabel > 50, `the label's text leaves room at its left (${layout.wordsStartInLabel} px)`);
    assert.ok(layout.brandLeft > layout.width / 2, `the brand starts in the right half (at ${layout.brandLeft} of ${layout.width} px)`);
  });
});
