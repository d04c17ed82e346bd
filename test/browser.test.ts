import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Types } from 'mongoose';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { aSigner, givenPetition, postJson } from './helpers/builders.js';
import { stackAndBrowserPerFile, watchForProblems } from './helpers/browser.js';
import type { Stack } from './helpers/stack.js';

let stack: Stack;
let browser: Browser;
stackAndBrowserPerFile((startedStack, startedBrowser) => {
  [stack, browser] = [startedStack, startedBrowser];
});

async function openPage(options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ baseURL: stack.baseUrl, locale: 'en-GB', ...options });
  return context.newPage();
}

/** What the focused element is, in words a test can compare. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    return el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}:${el.textContent?.trim() ?? ''}`;
  });

/** The link in the confirmation email, pointed at this test's server. */
async function emailedConfirmLink(email: string): Promise<string> {
  await stack.smtp.waitFor(() => stack.smtp.to(email).length >= 1);
  const link = /https?:\/\/\S+\/confirm\/[A-Za-z0-9_-]{43}/.exec(stack.smtp.to(email)[0]!.text)?.[0];
  assert.ok(link, 'the email has a confirmation link');
  return new URL(new URL(link).pathname, stack.baseUrl).href;
}

async function fillForm(page: Page, signer: Record<string, string>) {
  await page.fill('#firstName', signer.firstName ?? '');
  await page.fill('#lastName', signer.lastName ?? '');
  await page.fill('#email', signer.email ?? '');
  await page.selectOption('#country', signer.country ?? '');
}

async function eventually(read: () => Promise<unknown>, expected: unknown, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (last !== expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  assert.equal(last, expected);
}

const total = async (slug: string) => ((await (await fetch(`${stack.baseUrl}/api/v1/petitions/${slug}/count`)).json()) as { total: number }).total;

describe('the sign form in a real browser', () => {
  test('when a person uses only the keyboard, then they can sign, confirm and reach the thank-you page', async () => {
    const petition = await givenPetition(stack, { title: 'Keyboard petition' });
    const email = `keys-${petition.slug}@example.org`;
    const page = await openPage();
    await page.goto(`/petitions/${petition.slug}`);

    const order: string[] = [];
    for (let i = 0; i < 12 && order.at(-1) !== '#firstName'; i++) {
      await page.keyboard.press('Tab');
      order.push(await focused(page));
    }
    const switcher = ['English', 'Español', 'Français', 'العربية', '简体中文', '繁體中文'].map((name) => `a:${name}`);
    assert.deepEqual(order, ['a:Skip to content', 'a:Handover', ...switcher, '#firstName'], 'the skip link comes first and the honeypot is never reached');

    await page.keyboard.type('Ada');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), '#lastName');
    await page.keyboard.type('Lovelace');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), '#email');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), '#country');
    await page.keyboard.type('Fran');
    assert.equal(await page.inputValue('#country'), 'FR', 'typing a name selects the country');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), '#postcode');
    await page.keyboard.type('75001');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), '#comment');
    await page.keyboard.type('Typed, not clicked.');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), '#updates');
    await page.keyboard.press('Space');
    assert.equal(await page.isChecked('#updates'), true);
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), '#hideName');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'button:Sign the petition');
    await Promise.all([page.waitForURL(`**/petitions/${petition.slug}/check-email`), page.keyboard.press('Enter')]);
    assert.equal(await page.textContent('h1'), 'Check your email');

    await page.goto(await emailedConfirmLink(email));
    assert.equal(await total(petition.slug), 0, 'opening the link alone counts nothing');
    for (let i = 0; i < 12 && !(await focused(page)).startsWith('button:'); i++) await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'button:Confirm my signature');
    await Promise.all([page.waitForURL(`**/petitions/${petition.slug}/thanks?confirmed=1`), page.keyboard.press('Enter')]);

    assert.equal(await page.textContent('h1'), 'Thank you for signing');
    assert.match((await page.textContent('main')) ?? '', /Your signature is confirmed and counted\./);
    assert.equal(await total(petition.slug), 1);
    const stored = await stack.database.connection
      .collection('signatures')
      .findOne({ petitionId: new Types.ObjectId((await stack.services.petitionService.findVisible(petition.slug)).id) });
    assert.deepEqual(stored?.consent, { updates: true, hideName: false });
    assert.equal(stored?.country, 'FR');
    await page.context().close();
  });

  test('when JavaScript is off, then the form still signs', async () => {
    const petition = await givenPetition(stack);
    const signer = aSigner() as Record<string, string>;
    const page = await openPage({ javaScriptEnabled: false });
    await page.goto(`/petitions/${petition.slug}`);

    await fillForm(page, signer);
    await Promise.all([page.waitForURL(`**/petitions/${petition.slug}/check-email`), page.click('button[type=submit]')]);
    await page.goto(await emailedConfirmLink(signer.email!));
    await Promise.all([page.waitForURL(`**/thanks?confirmed=1`), page.click('button[type=submit]')]);

    assert.equal(await page.textContent('h1'), 'Thank you for signing');
    assert.equal(await total(petition.slug), 1);
    await page.context().close();
  });

  test('when an email address is invalid, then its error shows next to the field and the other values stay', async () => {
    const petition = await givenPetition(stack);
    const page = await openPage();
    await page.goto(`/petitions/${petition.slug}`);

    await fillForm(page, { firstName: 'Grace', lastName: 'Hopper', email: 'grace.example.org', country: 'US' });
    await page.fill('#comment', 'Still here after the error');
    await page.check('#hideName');
    await Promise.all([page.waitForURL(`**/petitions/${petition.slug}/sign`), page.click('button[type=submit]')]);

    assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'true');
    const error = page.locator('.field:has(#email) .field-error');
    assert.equal(await error.isVisible(), true);
    assert.equal(await error.textContent(), 'Enter an email address like name@example.org.');
    assert.match((await page.getAttribute('#email', 'aria-describedby')) ?? '', /\bemail-error\b/);
    assert.equal(await page.getByRole('textbox', { name: 'Email address' }).inputValue(), 'grace.example.org');
    assert.equal(await page.inputValue('#firstName'), 'Grace');
    assert.equal(await page.inputValue('#lastName'), 'Hopper');
    assert.equal(await page.inputValue('#country'), 'US');
    assert.equal(await page.inputValue('#comment'), 'Still here after the error');
    assert.equal(await page.isChecked('#hideName'), true);
    assert.equal(await page.isChecked('#updates'), false);
    assert.equal(await page.getAttribute('#firstName', 'aria-invalid'), null);
    await page.context().close();
  });
});

describe('the petition page in a real browser', () => {
  test('when a signature arrives through the API, then the live count on an open page updates within one poll', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    const page = await openPage();
    // Time in the page is ours to move: the poll runs every 10 s, and the test need not wait for it.
    await page.clock.install();
    await page.goto(`/petitions/${petition.slug}`);
    const shown = () => page.textContent('[data-live-count]');
    assert.equal(await shown(), '0');

    const signed = await postJson(`${stack.baseUrl}/api/v1/petitions/${petition.slug}/signatures`, aSigner());
    assert.equal(signed.status, 202);
    await page.clock.runFor(9_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await shown(), '0', 'no poll before 10 s');
    await page.clock.runFor(1_000);

    await eventually(shown, '1');
    await page.context().close();
  });

  test('when the petition page loads, then there are no console errors and no CSP violations', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    await postJson(`${stack.baseUrl}/api/v1/petitions/${petition.slug}/signatures`, aSigner({ country: 'DE' }));
    const page = await openPage();
    const problems = await watchForProblems(page);

    await page.clock.install();
    await page.goto(`/petitions/${petition.slug}`);
    // Let the live count poll once, so its request is checked against the policy too.
    const polled = page.waitForResponse((r) => r.url().endsWith(`/api/v1/petitions/${petition.slug}/count`));
    await page.clock.runFor(10_000);
    assert.equal((await polled).status(), 200);
    await page.goto(`/petitions/${petition.slug}/thanks`);

    assert.deepEqual(problems, { console: [], pageErrors: [], cspViolations: [] });
    await page.context().close();
  });

  test('when a phone is 375 px wide, then the page has no horizontal scroll', async () => {
    const petition = await givenPetition(stack, {
      verification: 'none',
      title: 'Protect the independent journalists of the Mediterranean coastal communities',
      target: 'The Parliamentary Assembly of the Council of Europe',
    });
    await postJson(`${stack.baseUrl}/api/v1/petitions/${petition.slug}/signatures`, aSigner());
    const page = await openPage({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });

    await page.goto(`/petitions/${petition.slug}`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), 'the petition page fits');
    for (const box of ['#updates', '#hideName']) {
      const size = await page.locator(box).boundingBox();
      assert.ok(size && size.width >= 20 && size.height >= 20, `${box} is not squeezed by its long label: ${JSON.stringify(size)}`);
    }
    await page.screenshot({ path: '/tmp/handover-petition.png', fullPage: true });

    await page.fill('#email', 'not an address');
    await Promise.all([page.waitForURL('**/sign'), page.click('button[type=submit]')]);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), 'the form with errors fits');
    await page.goto(`/petitions/${petition.slug}/thanks`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), 'the thank-you page fits');
    await page.context().close();
  });
});
