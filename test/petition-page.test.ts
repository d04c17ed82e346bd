import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { aSigner, givenPetition, postJson } from './helpers/builders.js';
import { stackAndBrowserPerFile } from './helpers/browser.js';
import { csrfFrom, signedIn } from './helpers/admin.js';
import type { Stack } from './helpers/stack.js';

let stack: Stack;
let browser: Browser;
stackAndBrowserPerFile((startedStack, startedBrowser) => {
  [stack, browser] = [startedStack, startedBrowser];
});

const PHONE: BrowserContextOptions = { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const LONG_BODY = Array.from({ length: 12 }, (_, i) => `Paragraph ${i + 1}: the reasons this petition matters, at length.`).join('\n\n');

async function openPage(options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ baseURL: stack.baseUrl, locale: 'en-GB', ...options });
  return context.newPage();
}

/** Whether the element is inside the viewport without scrolling. */
const inView = (page: Page, selector: string) =>
  page.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight && getComputedStyle(el).visibility !== 'hidden';
  });

async function sign(slug: string, overrides: Record<string, unknown> = {}) {
  const res = await postJson(`${stack.baseUrl}/api/v1/petitions/${slug}/signatures`, aSigner(overrides));
  assert.equal(res.status, 202, res.text);
}

describe('the petition page that gets signed', () => {
  test('when a phone is 375 px wide, then the Sign button is visible without scrolling and leads to the form', async () => {
    const petition = await givenPetition(stack, { body: LONG_BODY });
    const page = await openPage(PHONE);
    await page.goto(`/petitions/${petition.slug}`);
    assert.equal(await inView(page, '#sticky-sign'), true, 'the Sign button shows at once');
    assert.equal(await inView(page, '#firstName'), false, 'the form itself is further down');

    await page.click('#sticky-sign');
    await page.waitForFunction(() => document.getElementById('sticky-sign')?.hidden === true);
    assert.equal(await inView(page, '#firstName'), true, 'one tap brings the form');
    await page.context().close();
  });

  test('when a desktop shows the page at 1280×800, then the first field is visible without scrolling and no Sign button shows', async () => {
    const petition = await givenPetition(stack, { body: LONG_BODY });
    const page = await openPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`/petitions/${petition.slug}`);
    assert.equal(await inView(page, '#firstName'), true);
    assert.equal(await page.isVisible('#sticky-sign'), false);
    await page.context().close();
  });

  for (const viewport of [{ width: 375, height: 812 }, { width: 1280, height: 800 }]) {
    test(`when a submit is refused at ${viewport.width} px, then the error summary has focus, is in view and links to each field`, async () => {
      const petition = await givenPetition(stack, { body: LONG_BODY });
      const page = await openPage({ viewport });
      await page.goto(`/petitions/${petition.slug}`);
      await page.fill('#email', 'not an address');
      await Promise.all([page.waitForURL(`**/petitions/${petition.slug}/sign`), page.click('#sign button[type=submit]')]);

      assert.equal(await page.evaluate(() => document.activeElement?.id), 'sign-errors');
      assert.equal(await inView(page, '#sign-errors'), true);
      const links = await page.locator('#sign-errors a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      assert.deepEqual(links.sort(), ['#country', '#email', '#firstName', '#lastName']);
      await page.click('#sign-errors a[href="#email"]');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'email', 'a link moves to its field');
      await page.context().close();
    });
  }

  test('when a signature arrives, then the number, the "N of goal" sentence and the bar update together, in the page language', async () => {
    const petition = await givenPetition(stack, { verification: 'none', goal: 4 });
    const page = await openPage();
    await page.clock.install();
    await page.goto(`/fr/petitions/${petition.slug}`);
    const shown = () => page.evaluate(() => [document.querySelector('[data-live-count]')?.textContent, document.getElementById('goal-text')?.textContent, (document.querySelector('progress') as HTMLProgressElement).value]);
    assert.deepEqual(await shown(), ['0', '0 sur 4 signatures', 0]);

    await sign(petition.slug);
    await page.clock.runFor(10_000);
    await page.waitForFunction(() => document.querySelector('[data-live-count]')?.textContent === '1');
    assert.deepEqual(await shown(), ['1', '1 sur 4 signatures', 25]);
    await page.context().close();
  });

  test('when signers come from more than ten countries, then ten show, the rest fold under "show all N", and the map is drawn', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    const countries = ['FR', 'DE', 'ES', 'IT', 'PT', 'NL', 'BE', 'PL', 'SE', 'NO', 'FI', 'DK'];
    for (const country of countries) await sign(petition.slug, { country });
    const page = await openPage();
    await page.goto(`/petitions/${petition.slug}`);

    assert.equal(await page.locator('.countries:not(details .countries) li').count(), 10);
    assert.equal((await page.textContent('#more-countries summary'))?.trim(), 'Show all 12 countries');
    assert.equal(await page.isVisible('#more-countries li'), false, 'folded');
    await page.click('#more-countries summary');
    assert.equal(await page.locator('#more-countries li').count(), 2);

    await page.locator('#world-map').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => (document.getElementById('world-map') as HTMLImageElement).complete);
    assert.ok(await page.evaluate(() => (document.getElementById('world-map') as HTMLImageElement).naturalWidth > 0), 'the map image loads');
    const svg = await (await fetch(`${stack.baseUrl}/petitions/${petition.slug}/map.svg`)).text();
    const coloured = [...svg.matchAll(/fill="(#[0-9a-f]+)" data-country="(FR|DE)"/g)].map((m) => m[1]);
    assert.equal(coloured.length, 2);
    assert.ok(!coloured.includes('#e4e4e4'), `countries with signers are coloured: ${coloured.join(', ')}`);
    await page.context().close();
  });

  test('when an organiser uploads a phone photo, then it is stored without EXIF and shows on the page with its alt text, until removed', async () => {
    const petition = await givenPetition(stack, { status: 'open' });
    const organiser = await signedIn(stack, 'organiser');
    const photo = await sharp({ create: { width: 2400, height: 1600, channels: 3, background: { r: 40, g: 90, b: 180 } } })
      .jpeg()
      .withMetadata({ exif: { IFD0: { Make: 'PhoneMaker', Model: 'SecretPhone 9' } } })
      .toBuffer();
    assert.match((await sharp(photo).metadata()).exif?.toString('latin1') ?? '', /SecretPhone/, 'the upload does carry EXIF');

    const edit = await organiser.get(`/admin/petitions/${petition.slug}/edit`);
    const form = new FormData();
    form.set('_csrf', csrfFrom(edit.html));
    form.set('alt', 'Protesters holding a banner');
    form.set('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'phone.jpg');
    const cookie = [...organiser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(new URL(`/admin/petitions/${petition.slug}/image`, stack.baseUrl), { method: 'POST', body: form, headers: { cookie }, redirect: 'manual' });
    assert.equal(res.status, 303, (await res.text()).slice(0, 300));

    const served = Buffer.from(await (await fetch(`${stack.baseUrl}/petitions/${petition.slug}/image`)).arrayBuffer());
    const meta = await sharp(served).metadata();
    assert.deepEqual({ format: meta.format, width: meta.width, exif: meta.exif }, { format: 'jpeg', width: 2000, exif: undefined });
    assert.deepEqual(await stack.services.petitionImages.read(petition.slug).then((i) => i?.data.equals(served)), true, 'the bytes other features read');

    const page = await openPage();
    await page.goto(`/petitions/${petition.slug}`);
    assert.equal(await page.getAttribute('#petition-image', 'alt'), 'Protesters holding a banner');
    assert.ok(await page.evaluate(() => (document.getElementById('petition-image') as HTMLImageElement).naturalWidth === 2000));
    await page.context().close();

    const removed = await organiser.submit(`/admin/petitions/${petition.slug}/image/remove`, {}, `/admin/petitions/${petition.slug}/edit`);
    assert.equal(removed.status, 303);
    assert.equal((await fetch(`${stack.baseUrl}/petitions/${petition.slug}/image`)).status, 404);
  });
});
