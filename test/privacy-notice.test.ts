import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import type { Server } from 'node:http';
import { createApp } from '../server/app.js';
import { loadConfig } from '../server/config/config.js';
import { LANGUAGES, localisedPath } from '../server/i18n/languages.js';
import { createPrivacyNotice } from '../server/privacy/index.js';
import { retentionSentence } from '../server/petitions/retention-text.js';
import { deliveredSection } from '../server/deliveries/delivery-public-routes.js';
import { givenDelivery, givenPetition } from './helpers/builders.js';
import { stackPerFile, type Stack } from './helpers/stack.js';
import { aWebClient, attribute, tagWithId, textOf } from './helpers/web-client.js';

const SETTINGS = {
  ORGANISATION_NAME: 'Friends of the Detained',
  PRIVACY_CONTACT: 'mailto:privacy@friends.example',
  PRIVACY_ADDRESS: '12 Example Street, London N1 9XX',
  PRIVACY_AUTHORITY_URL: 'https://authority.example/complain',
};

let stack: Stack;
stackPerFile((started) => (stack = started), SETTINGS);

const t = (lang: string, key: string, vars?: Record<string, unknown>) => stack.services.i18n.t(lang, key, vars);
const get = (path: string) => aWebClient(stack.baseUrl).get(path);
const htmlTag = (html: string) => /<html\b[^>]*>/.exec(html)?.[0];
const expectedHtmlTag = (lang: (typeof LANGUAGES)[number]) => `<html lang="${lang.code}" dir="${lang.dir}">`;

describe('privacy notice: the site and each petition say who holds the data, who sees what, for how long, and the signer’s rights', () => {
  test('when the site’s notice is opened in each language, then it answers 200 with that language and direction, the controller from the settings and what is handed over', async () => {
    const open = await givenPetition(stack);
    const wrong: string[] = [];
    for (const lang of LANGUAGES) {
      const page = await get(localisedPath(lang.code, '/privacy'));
      const checks: [string, boolean][] = [
        ['status 200', page.status === 200],
        ['html lang and dir', htmlTag(page.html) === expectedHtmlTag(lang)],
        ['title', page.html.includes(`<title>${t(lang.code, 'privacy.title')} · `)],
        ['h1', textOf(page.html, /<h1>/) === t(lang.code, 'privacy.title')],
        ['organisation', page.html.includes(SETTINGS.ORGANISATION_NAME)],
        ['contact link', attribute(/<p id="privacy-contact">[\s\S]*?(<a [^>]*>)/.exec(page.html)?.[1], 'href') === SETTINGS.PRIVACY_CONTACT],
        ['contact shown', textOf(page.html, /<p id="privacy-contact">/)?.endsWith('privacy@friends.example') === true],
        ['address', textOf(page.html, /<p id="privacy-address">/)?.endsWith(SETTINGS.PRIVACY_ADDRESS) === true],
        ['handed over', textOf(page.html, /<p id="privacy-handed-over">/) === t(lang.code, 'privacy.shared.addressee')],
        ['comments', textOf(page.html, /<p id="privacy-comments">/) === t(lang.code, 'privacy.shared.comments', { organisation: SETTINGS.ORGANISATION_NAME })],
        ['authority', page.html.includes(`<a href="${SETTINGS.PRIVACY_AUTHORITY_URL}"`)],
        ['lost receipt', page.html.includes(`href="${localisedPath(lang.code, '/receipts/lost')}"`)],
        ['open petition’s notice', page.html.includes(`href="${localisedPath(lang.code, `/petitions/${open.slug}/privacy`)}"`)],
        ['footer', attribute(tagWithId(page.html, 'privacy-footer-link'), 'href') === localisedPath(lang.code, '/privacy')],
      ];
      for (const [what, ok] of checks) if (!ok) wrong.push(`${lang.code}: ${what}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('when a petition’s notice is opened in each language, then it names the controller, its addressee and its retention rule, and links its receipt request', async () => {
    const petition = await givenPetition(stack, { target: 'The Ambassador of Freedonia', retention: { after: 'delivered', days: 365 } });
    const wrong: string[] = [];
    for (const lang of LANGUAGES) {
      const path = localisedPath(lang.code, `/petitions/${petition.slug}/privacy`);
      const page = await get(path);
      const checks: [string, boolean][] = [
        ['status 200', page.status === 200],
        ['html lang and dir', htmlTag(page.html) === expectedHtmlTag(lang)],
        ['title', page.html.includes(`<title>${t(lang.code, 'privacy.petitionTitle', { title: petition.title })}`.replace(/'/g, '&#x27;'))],
        ['h1', textOf(page.html, /<h1>/) === t(lang.code, 'privacy.title')],
        ['organisation', page.html.includes(SETTINGS.ORGANISATION_NAME)],
        ['contact', attribute(/<p id="privacy-contact">[\s\S]*?(<a [^>]*>)/.exec(page.html)?.[1], 'href') === SETTINGS.PRIVACY_CONTACT],
        ['address', textOf(page.html, /<p id="privacy-address">/)?.endsWith(SETTINGS.PRIVACY_ADDRESS) === true],
        ['addressee', textOf(page.html, /<p id="privacy-addressee">/)?.includes('The Ambassador of Freedonia') === true],
        ['handed over', textOf(page.html, /<p id="privacy-handed-over">/) === t(lang.code, 'privacy.shared.addressee')],
        ['retention', textOf(page.html, /<p id="privacy-retention">/) === retentionSentence({ after: 'delivered', days: 365 }, lang.code, (k, v) => t(lang.code, k, v))],
        ['no deliveries yet', textOf(page.html, /<p id="privacy-no-deliveries">/) === t(lang.code, 'privacy.deliveries.none')],
        ['receipt request', page.html.includes(`href="${localisedPath(lang.code, `/petitions/${petition.slug}/receipt`)}"`)],
        ['footer links this notice', attribute(tagWithId(page.html, 'privacy-footer-link'), 'href') === path],
      ];
      for (const [what, ok] of checks) if (!ok) wrong.push(`${lang.code}: ${what}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('when a petition has been handed over, then its notice lists each delivery’s place and date', async () => {
    const petition = await givenPetition(stack);
    await givenDelivery(stack, petition.slug, { city: 'Dakar', country: 'SN', language: 'fr', deliveredAt: '2025-03-14' });
    const page = await get(`/fr/petitions/${petition.slug}/privacy`);
    assert.equal(textOf(page.html, /<ul id="privacy-delivery-list"><li>/), t('fr', 'privacy.deliveries.item', { city: 'Dakar', country: 'Sénégal', date: '14 mars 2025' }));
  });

  test('when the notice of an unknown or a draft petition is asked for, then it is the site’s 404 page, as for the petition itself', async () => {
    const draft = await givenPetition(stack, { status: 'draft' });
    const answers: Record<string, number> = {};
    for (const path of ['/petitions/no-such-petition/privacy', `/petitions/${draft.slug}/privacy`, `/ar/petitions/${draft.slug}/privacy`, `/petitions/${draft.slug}`]) answers[path] = (await get(path)).status;
    assert.deepEqual(answers, {
      '/petitions/no-such-petition/privacy': 404,
      [`/petitions/${draft.slug}/privacy`]: 404,
      [`/ar/petitions/${draft.slug}/privacy`]: 404,
      [`/petitions/${draft.slug}`]: 404,
    });
    const unknown = await get('/es/petitions/no-such-petition/privacy');
    assert.equal(htmlTag(unknown.html), '<html lang="es" dir="ltr">');
    assert.match(unknown.html, /class="site-footer"/, 'the site’s own error page, in its layout');
  });

  test('when the sign form is shown, then the notice is linked right after the submit button and the comment field says who reads comments', async () => {
    const petition = await givenPetition(stack);
    const page = await get(`/es/petitions/${petition.slug}`);
    assert.match(page.html, new RegExp(`<button type="submit">[^<]*</button>\\s*<p class="hint" id="privacy-notice-link"><a href="/es/petitions/${petition.slug}/privacy">`));
    assert.equal(attribute(/<textarea\b[^>]*\bid="comment"[^>]*>/.exec(page.html)?.[0], 'aria-describedby'), 'comment-hint');
    assert.equal(textOf(page.html, /<p class="hint" id="comment-hint">/), t('es', 'privacy.commentHint'));
    assert.equal(attribute(tagWithId(page.html, 'privacy-footer-link'), 'href'), `/es/petitions/${petition.slug}/privacy`);
    const home = await get('/es/');
    assert.equal(attribute(tagWithId(home.html, 'privacy-footer-link'), 'href'), '/es/privacy');
  });

  test('when the embedded sign widget is shown, then its notice link opens our page in a new tab', async () => {
    const petition = await givenPetition(stack);
    const widget = await get(`/embed/petitions/${petition.slug}?lang=ar`);
    assert.equal(widget.status, 200);
    const link = /<p class="hint" id="privacy-notice-link">(<a [^>]*>)/.exec(widget.html)?.[1];
    assert.deepEqual(
      { href: attribute(link, 'href'), target: attribute(link, 'target'), rel: attribute(link, 'rel') },
      { href: `${stack.services.config.BASE_URL}/ar/petitions/${petition.slug}/privacy`, target: '_blank', rel: 'noopener' },
    );
  });

  test('when no privacy contact is set outside production, then the notice says so and names the setting, inventing none', async () => {
    const config = { ...stack.services.config, PRIVACY_CONTACT: undefined, PRIVACY_ADDRESS: undefined, PRIVACY_AUTHORITY_URL: undefined };
    const privacyNotice = createPrivacyNotice({ config, petitions: stack.services.petitionService, delivered: deliveredSection(stack.services.targets) });
    const server: Server = createApp({ ...stack.services, privacyNotice }).listen(0, '127.0.0.1');
    after(() => new Promise((resolve) => server.close(resolve)));
    await new Promise((resolve) => server.once('listening', resolve));
    const page = await aWebClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).get('/privacy');
    assert.equal(page.status, 200);
    assert.equal(textOf(page.html, /<p class="notice" id="privacy-contact-missing">/), t('en', 'privacy.controller.noContact'));
    assert.match(t('en', 'privacy.controller.noContact'), /PRIVACY_CONTACT/);
    assert.doesNotMatch(page.html, /mailto:|id="privacy-address"/);
    assert.equal(textOf(page.html, /<p id="privacy-authority">/), t('en', 'privacy.rights.complainAnywhere'));
  });
});

describe('privacy settings', () => {
  const refusal = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };
  const production = { NODE_ENV: 'production', DATA_KEY: Buffer.alloc(32).toString('base64'), BASE_URL: 'https://petitions.example.org', SMTP_URL: 'smtp://localhost' };

  test('when a privacy setting has a bad value, then the configuration is refused naming it', () => {
    assert.deepEqual(
      {
        contact: refusal({ PRIVACY_CONTACT: 'privacy@friends.example' }),
        contactWithNewline: refusal({ PRIVACY_CONTACT: 'mailto:a@b.example\nExpires: never' }),
        address: refusal({ PRIVACY_ADDRESS: '1 Road\r\nBcc: someone' }),
        authority: refusal({ PRIVACY_AUTHORITY_URL: 'http://authority.example' }),
      },
      {
        contact: 'Invalid configuration:\n  PRIVACY_CONTACT: must be a mailto: address (mailto:privacy@example.org) or an https: URL',
        contactWithNewline: 'Invalid configuration:\n  PRIVACY_CONTACT: must be a mailto: address (mailto:privacy@example.org) or an https: URL',
        address: 'Invalid configuration:\n  PRIVACY_ADDRESS: must be one line, without control characters',
        authority: 'Invalid configuration:\n  PRIVACY_AUTHORITY_URL: must be an https: URL',
      },
    );
  });

  test('when production starts without PRIVACY_CONTACT, then it is refused naming it, and starts with it', () => {
    assert.equal(refusal(production), 'Invalid configuration:\n  PRIVACY_CONTACT: required in production');
    assert.equal(refusal({ ...production, PRIVACY_CONTACT: 'https://friends.example/privacy' }), '');
  });
});
