import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { loadConfig } from '../server/config/config.js';
import { LANGUAGES, languageInfo, localisedPath, type Language } from '../server/i18n/languages.js';
import type { PetitionText } from '../server/petitions/petition-types.js';
import { aSigner, givenPetition, postJson } from './helpers/builders.js';
import { launchBrowser } from './helpers/browser.js';
import { startStack, type Stack } from './helpers/stack.js';
import { attribute, aWebClient } from './helpers/web-client.js';

// Not the address the test server listens on: every absolute URL must come from BASE_URL, never from the Host header.
const BASE = 'https://petitions.example.org';
const CONTACT = 'mailto:security@example.org';

let stack: Stack;
let browser: Browser;
before(async () => {
  [stack, browser] = await Promise.all([startStack({ BASE_URL: BASE, SECURITY_CONTACT: CONTACT }), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

const SPANISH: PetitionText = { title: 'Liberad a los detenidos', summary: 'Pedimos la liberación inmediata.', body: 'Texto.', target: 'Un gobierno' };
const ARABIC: PetitionText = { title: 'أطلقوا سراح المحتجزين', summary: 'نطالب بالإفراج الفوري عنهم.', body: 'نص.', target: 'حكومة' };

/** An open petition in English with Spanish and Arabic texts, signed by three people (a count every language writes in figures). */
async function aTranslatedPetition() {
  const petition = await givenPetition(stack, { verification: 'none', summary: 'We ask for their immediate release.', translations: { es: SPANISH, ar: ARABIC } });
  for (const signer of [aSigner(), aSigner(), aSigner()]) {
    const signed = await postJson(`${stack.baseUrl}/api/v1/petitions/${petition.slug}/signatures`, signer);
    assert.ok(signed.status < 300, signed.text);
  }
  return petition;
}

const get = (path: string, headers: Record<string, string> = {}) => fetch(new URL(path, stack.baseUrl), { headers, redirect: 'manual' });
const html = async (path: string) => {
  const page = await aWebClient(stack.baseUrl).get(path);
  assert.equal(page.status, 200, `${path} answers 200`);
  return page.html;
};

/** The head's tags: `property`/`name` → every `content` of <meta>, `rel` → every `href` of <link>, decoded. */
function headTags(page: string): Record<string, string[]> {
  const head = /<head>([\s\S]*?)<\/head>/.exec(page)?.[1] ?? '';
  const tags: Record<string, string[]> = {};
  for (const [tag] of head.matchAll(/<(meta|link)\b[^>]*>/g)) {
    const key = attribute(tag, 'property') ?? attribute(tag, 'name') ?? (attribute(tag, 'rel') === 'alternate' ? undefined : attribute(tag, 'rel'));
    const value = attribute(tag, 'content') ?? attribute(tag, 'href');
    if (key && value !== undefined) (tags[key] ??= []).push(value);
  }
  return tags;
}

const PREVIEW_TAGS = ['description', 'canonical', 'og:type', 'og:site_name', 'og:title', 'og:description', 'og:url', 'og:image', 'og:image:type', 'og:image:width', 'og:image:height', 'og:image:alt', 'og:locale', 'og:locale:alternate', 'twitter:card', 'twitter:title', 'twitter:description', 'twitter:image', 'twitter:image:alt'];

describe('link previews on petition pages', () => {
  test('when a petition page is opened in each language, then every preview tag is there, absolute and in that page’s text language', async () => {
    const petition = await aTranslatedPetition();
    const texts: Partial<Record<Language, PetitionText>> = { en: petition, es: SPANISH, ar: ARABIC };
    const differences: string[] = [];
    for (const { code } of LANGUAGES) {
      const path = localisedPath(code, `/petitions/${petition.slug}`);
      const tags = headTags(await html(path));
      // A language the petition lacks shows the English text, and says in og:locale that it is English.
      const textLanguage: Language = texts[code] ? code : 'en';
      const text = texts[textLanguage]!;
      const locales = (['en', 'es', 'ar'] as const).filter((l) => l !== textLanguage).map((l) => languageInfo(l).ogLocale);
      const pick = (key: string) => tags[key] ?? [];
      const actual = Object.fromEntries(PREVIEW_TAGS.map((key) => [key, pick(key)]));
      const expected = {
        ...actual,
        description: [text.summary],
        canonical: [`${BASE}${path}`],
        'og:type': ['website'],
        'og:site_name': ['Handover'],
        'og:title': [text.title],
        'og:description': [text.summary],
        'og:url': [`${BASE}${path}`],
        'og:image': [`${BASE}${localisedPath(code, `/petitions/${petition.slug}/share.png`)}`],
        'og:image:type': ['image/png'],
        'og:image:width': ['1200'],
        'og:image:height': ['630'],
        'og:locale': [languageInfo(textLanguage).ogLocale],
        'og:locale:alternate': locales,
        'twitter:card': ['summary_large_image'],
        'twitter:title': [text.title],
        'twitter:description': [text.summary],
        'twitter:image': [`${BASE}${localisedPath(code, `/petitions/${petition.slug}/share.png`)}`],
      };
      for (const key of PREVIEW_TAGS) if (JSON.stringify(actual[key]) !== JSON.stringify(expected[key as keyof typeof expected])) differences.push(`${code} ${key}: ${JSON.stringify(actual[key])}`);
      // The image's description is in the page's own language, naming the title and the count.
      const alt = pick('og:image:alt')[0] ?? '';
      if (!alt.includes(text.title) || !alt.includes('3') || pick('twitter:image:alt')[0] !== alt) differences.push(`${code} og:image:alt: ${alt}`);
      if (pick('robots').length > 0) differences.push(`${code} robots: ${pick('robots').join()}`);
    }
    assert.deepEqual(differences, []);
  });

  test('when the image is described in Spanish, French and Chinese, then the sentence is that language’s, not English', async () => {
    const petition = await aTranslatedPetition();
    const alts = Object.fromEntries(
      await Promise.all((['en', 'es', 'fr', 'zh-Hant'] as const).map(async (code): Promise<[string, string | undefined]> => [code, headTags(await html(localisedPath(code, `/petitions/${petition.slug}`)))['og:image:alt']?.[0]])),
    );
    assert.deepEqual(alts, {
      en: `The petition “${petition.title}”: 3 signatures so far`,
      es: `La petición «${SPANISH.title}»: 3 firmas hasta ahora`,
      fr: `La pétition « ${petition.title} » : 3 signatures à ce jour`,
      'zh-Hant': `請願「${petition.title}」：目前已有 3 個簽名`,
    });
  });

  test('when a title and summary hold quotes, < and &, then the head carries them escaped and they read back unchanged', async () => {
    const title = `"Free them" <now> & 'today'`;
    const summary = `He said "enough" <script>alert(1)</script> & left`;
    const petition = await givenPetition(stack, { title, summary });
    const page = await html(`/petitions/${petition.slug}`);
    const head = /<head>([\s\S]*?)<\/head>/.exec(page)?.[1] ?? '';
    assert.deepEqual({ rawScript: head.includes('<script>alert'), rawNow: head.includes('<now>'), rawQuote: head.includes('content=""Free') }, { rawScript: false, rawNow: false, rawQuote: false });
    const tags = headTags(page);
    assert.deepEqual([tags['og:title'], tags['twitter:title'], tags['og:description'], tags.description], [[title], [title], [summary], [summary]]);
  });

  test('when a summary runs past 200 characters, then the description stops before 200 with an ellipsis, at a word', async () => {
    const summary = `${'Release every detained journalist now. '.repeat(8)}End.`;
    const petition = await givenPetition(stack, { summary });
    const description = headTags(await html(`/petitions/${petition.slug}`)).description?.[0] ?? '';
    assert.ok(description.length <= 200 && description.endsWith('…'), `"${description}" (${description.length} characters)`);
    const kept = description.slice(0, -1);
    assert.ok(summary.startsWith(kept) && /^[ .]/.test(summary.slice(kept.length)), `"${description}" ends at a word`);
  });

  test('when the Arabic page is opened in a browser, then its head tags read from the DOM are Arabic and absolute', async () => {
    const petition = await aTranslatedPetition();
    const page = await browser.newPage();
    // tsx names the functions declared inside page.evaluate() with a helper that exists only in Node.
    await page.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
    try {
      const response = await page.goto(`${stack.baseUrl}/ar/petitions/${petition.slug}`);
      assert.equal(response?.status(), 200);
      const head = await page.evaluate(() => {
        const meta = (key: string) => document.querySelector<HTMLMetaElement>(`meta[property="${key}"], meta[name="${key}"]`)?.content ?? null;
        return {
          lang: document.documentElement.lang,
          canonical: document.querySelector<HTMLLinkElement>('link[rel="canonical"]')?.getAttribute('href') ?? null,
          description: meta('description'),
          title: meta('og:title'),
          url: meta('og:url'),
          image: meta('og:image'),
          alt: meta('og:image:alt'),
          locale: meta('og:locale'),
          alternates: [...document.querySelectorAll<HTMLMetaElement>('meta[property="og:locale:alternate"]')].map((m) => m.content),
          card: meta('twitter:card'),
          twitterImage: meta('twitter:image'),
        };
      });
      const url = `${BASE}/ar/petitions/${petition.slug}`;
      assert.deepEqual(
        { ...head, alt: head.alt?.includes(ARABIC.title) && head.alt.includes('عريضة') },
        {
          lang: 'ar',
          canonical: url,
          description: ARABIC.summary,
          title: ARABIC.title,
          url,
          image: `${url}/share.png`,
          alt: true,
          locale: 'ar_AR',
          alternates: ['en_GB', 'es_ES'],
          card: 'summary_large_image',
          twitterImage: `${url}/share.png`,
        },
      );
    } finally {
      await page.close();
    }
  });
});

describe('the head of other pages', () => {
  test('when a public page other than a petition is opened, then it has a description and its canonical address, and no preview', async () => {
    const found = Object.fromEntries(
      await Promise.all(
        ['/', '/es/', '/verify', '/ar/verify'].map(async (path): Promise<[string, unknown]> => {
          const tags = headTags(await html(path));
          return [path, { description: (tags.description?.[0]?.length ?? 0) > 50, canonical: tags.canonical, ogTitle: tags['og:title'], robots: tags.robots }];
        }),
      ),
    );
    const expected = (path: string) => ({ description: true, canonical: [`${BASE}${path}`], ogTitle: undefined, robots: undefined });
    assert.deepEqual(found, { '/': expected('/'), '/es/': expected('/es/'), '/verify': expected('/verify'), '/ar/verify': expected('/ar/verify') });
  });

  test('when a token page or an error page is opened, then it says noindex and names no canonical address', async () => {
    const paths = ['/confirm/not-a-real-token', '/es/confirm/not-a-real-token', '/receipts/not-a-real-token', '/unsubscribe/not-a-real-token', '/petitions/no-such-petition'];
    const found = Object.fromEntries(
      await Promise.all(
        paths.map(async (path): Promise<[string, unknown]> => {
          const tags = headTags(await (await get(path)).text());
          return [path, { robots: tags.robots, canonical: tags.canonical }];
        }),
      ),
    );
    assert.deepEqual(found, Object.fromEntries(paths.map((path) => [path, { robots: ['noindex'], canonical: undefined }])));
  });
});

describe('site basics', () => {
  test('when a robot asks for robots.txt in any language, then it gets it unredirected, keeping the workspace, API and token pages out', async () => {
    const res = await get('/robots.txt', { 'accept-language': 'ar' });
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const lines = text.split('\n');
    const missing = ['Disallow: /admin', 'Disallow: /api/', 'Disallow: /confirm/', 'Disallow: /receipts/', 'Disallow: /unsubscribe/', 'Disallow: /ar/confirm/', 'Disallow: /zh-Hant/receipts/', 'Allow: /', `Sitemap: ${BASE}/sitemap.xml`].filter(
      (line) => !lines.includes(line),
    );
    assert.deepEqual(missing, []);
  });

  test('when the sitemap is read, then an open petition is listed in every language with all its alternates, and a draft is not', async () => {
    const open = await givenPetition(stack);
    const draft = await givenPetition(stack, { status: 'draft' });
    const res = await get('/sitemap.xml', { 'accept-language': 'fr' });
    const xml = await res.text();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/xml/);
    const entries = [...xml.matchAll(/<url><loc>([^<]+)<\/loc>(.*?)<\/url>/g)].filter(([, loc]) => loc!.includes(open.slug));
    const alternates = [...LANGUAGES.map((l) => [l.code, `${BASE}${localisedPath(l.code, `/petitions/${open.slug}`)}`]), ['x-default', `${BASE}/petitions/${open.slug}`]];
    assert.deepEqual(
      entries.map(([, loc, links]) => [loc, [...links!.matchAll(/<xhtml:link rel="alternate" hreflang="([^"]+)" href="([^"]+)"\/>/g)].map(([, hreflang, href]) => [hreflang, href])]),
      LANGUAGES.map((l) => [`${BASE}${localisedPath(l.code, `/petitions/${open.slug}`)}`, alternates]),
    );
    assert.equal(xml.includes(draft.slug), false, 'the draft is not in the sitemap');
  });

  test('when security.txt is read, then it has the configured contact, an expiry in the coming year, the languages and its canonical address', async () => {
    const res = await get('/.well-known/security.txt', { 'accept-language': 'es' });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const fields = Object.fromEntries(text.trim().split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));
    const expiresInDays = (Date.parse(fields.Expires ?? '') - Date.now()) / 86_400_000;
    assert.deepEqual(
      { ...fields, Expires: expiresInDays > 300 && expiresInDays <= 365 },
      { Contact: CONTACT, Expires: true, 'Preferred-Languages': 'en, es, fr, ar, zh-Hans, zh-Hant', Canonical: `${BASE}/.well-known/security.txt` },
    );
  });

  test('when SECURITY_CONTACT is neither a mailto: address nor an https: URL, then the configuration is refused naming it', () => {
    const refused = ['http://example.org/security', 'security@example.org', 'mailto:nobody', 'mailto:a@b.org\nContact: https://evil.example'].filter((value) => {
      try {
        loadConfig({ SECURITY_CONTACT: value });
        return false;
      } catch (error) {
        return (error as Error).message.includes('SECURITY_CONTACT');
      }
    });
    assert.equal(refused.length, 4, `refused: ${JSON.stringify(refused)}`);
    assert.equal(loadConfig({ SECURITY_CONTACT: 'https://example.org/security' }).SECURITY_CONTACT, 'https://example.org/security');
  });

  test('when a browser asks for /favicon.ico or the icon a page links, then both answer with an image', async () => {
    const linked = [await html('/'), await html('/admin/login')].map((page) => attribute(/<link rel="icon"[^>]*>/.exec(page)?.[0], 'href'));
    const answers = await Promise.all(
      ['/favicon.ico', ...linked].map(async (path) => {
        const res = await get(path ?? '/missing-icon-link');
        return [path, res.status, res.headers.get('content-type'), (await res.text()).startsWith('<svg')];
      }),
    );
    assert.deepEqual(
      answers.map(([path, status, type, svg]) => [path, status, /^image\/svg\+xml/.test(String(type)), svg]),
      ['/favicon.ico', ...linked].map((path) => [path, 200, true, true]),
    );
  });
});
