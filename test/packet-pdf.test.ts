import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../server/config/config.js';
import type { LetterLanguage } from '../server/deliveries/target-types.js';
import { createI18n, type I18n } from '../server/i18n/i18n.js';
import { createPdfFontLocator, findPdfFonts, type PdfFonts } from '../server/packets/pdf/fonts.js';
import { namesPerFullPage } from '../server/packets/pdf/layout.js';
import { createPacketPdf, type PacketPdfInput, type PdfDeps } from '../server/packets/pdf/packet-pdf.js';
import { writePoster } from '../server/packets/pdf/poster.js';
import { splitRuns, visualOrder } from '../server/packets/pdf/script-runs.js';
import { AppError } from '../server/shared/errors.js';

const run = promisify(execFile);
let dir: string;
let fonts: PdfFonts;
let i18n: I18n;
let deps: PdfDeps;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'packet-pdf-'));
  fonts = createPdfFontLocator(loadConfig({}).PDF_FONT_DIRS)();
  i18n = await createI18n();
  deps = { fonts, i18n };
});
after(() => rm(dir, { recursive: true, force: true }));

interface Country {
  code: string;
  name: string;
  names: string[];
  unnamed?: number;
}

function anInput(countries: Country[], overrides: Partial<PacketPdfInput> = {}): PacketPdfInput {
  const counted = countries.map((c) => ({ code: c.code, name: c.name, count: c.names.length + (c.unnamed ?? 0) }));
  return {
    packetId: 'pk-7f3a9c',
    language: 'en',
    organisation: 'Uyghur Solidarity Network',
    date: new Date('2025-03-14T10:00:00Z'),
    petition: { title: 'Free the detained', summary: 'Release everyone held without charge.', body: 'First **paragraph**.\n\n- an item', target: 'The government', language: 'en', fallback: false },
    target: { name: 'Embassy in London', recipientName: 'Zheng Zeguang', recipientTitle: 'Ambassador', address: '49 Portland Place', city: 'London', country: 'GB' },
    total: counted.reduce((sum, c) => sum + c.count, 0),
    countries: counted,
    ...overrides,
  };
}

let files = 0;
async function renderPacket(countries: Country[], overrides: Partial<PacketPdfInput> = {}): Promise<{ file: string; pages: number }> {
  const file = path.join(dir, `packet-${++files}.pdf`);
  const pdf = createPacketPdf(deps, anInput(countries, overrides), createWriteStream(file));
  for (const country of countries) {
    pdf.startCountry({ code: country.code, name: country.name, count: country.names.length + (country.unnamed ?? 0), unnamed: country.unnamed ?? 0 });
    for (let i = 0; i < country.names.length; i += 1000) await pdf.addSigners(country.names.slice(i, i + 1000));
  }
  const { pages } = await pdf.end();
  return { file, pages };
}

// pdftotext writes U+00A0 where the packet joined right-to-left words (see typesetter.ts), and wraps right-to-left
// text in embedding marks; neither is part of the text.
const normalise = (text: string) => text.replace(/\u00A0/gu, ' ').replace(/[\u202A-\u202E]/gu, '');
const pdfText = async (file: string, ...args: string[]) => normalise((await run('pdftotext', [...args, file, '-'])).stdout);
const pdfInfo = async (file: string) => (await run('pdfinfo', [file])).stdout;
const pageCount = async (file: string) => Number(/^Pages:\s+(\d+)/mu.exec(await pdfInfo(file))?.[1]);
const manyNames = (n: number) => Array.from({ length: n }, (_, i) => `Signer Number${i}`);

// Poppler extracts Devanagari in visual glyph order: the reph of "शर्मा" comes after its syllable and the vowel
// signs split words (it prints "शमार्"), so Devanagari names do not come back verbatim. The PDF shows them right.
const SCRIPTS: Record<string, string> = {
  Latin: 'Élodie Durand',
  Turkish: 'İbrahim Öztürk',
  Cyrillic: 'Иван Петров',
  Greek: 'Γιώργος Παπαδόπουλος',
  Arabic: 'محمد عبد الرحمن',
  Uyghur: 'ئەخمەتجان مەمەت',
  Hebrew: 'דוד כהן',
  Chinese: '王小明',
  Japanese: '山田 さくら',
  Korean: '김민준',
  Devanagari: 'देवेंद्र शर्मा',
};
const NOT_VERBATIM = ['Devanagari'];

describe('packet PDF', () => {
  test('when names in eleven scripts are rendered, then pdftotext returns at least eight exactly, from embedded subset fonts', async () => {
    const { file } = await renderPacket([{ code: 'GB', name: 'United Kingdom', names: Object.values(SCRIPTS) }]);

    const text = await pdfText(file);
    const lost = Object.keys(SCRIPTS).filter((script) => !text.split('\n').includes(SCRIPTS[script]!));
    assert.ok(Object.keys(SCRIPTS).length - lost.length >= 8, `lost: ${lost.join(', ')}`);
    assert.deepEqual(lost.filter((script) => !NOT_VERBATIM.includes(script)), []);

    const rows = (await run('pdffonts', [file])).stdout.trim().split('\n').slice(2);
    assert.ok(rows.length >= 8, 'one font per script family');
    for (const row of rows) {
      const [name, ...rest] = row.split(/\s+/u);
      const [emb, sub] = rest.slice(-5, -3);
      assert.match(name!, /^[A-Z]{6}\+Noto/u, row);
      assert.deepEqual([emb, sub], ['yes', 'yes'], row);
    }
  });

  test('when 5,000 signers are rendered, then the page count follows from the three-column layout', async () => {
    const one = await renderPacket([{ code: 'FR', name: 'France', names: manyNames(1) }]);
    const many = await renderPacket([{ code: 'FR', name: 'France', names: manyNames(5000) }]);

    const expected = Math.ceil(5000 / namesPerFullPage());
    const extra = many.pages - one.pages;
    assert.ok(extra >= expected - 1 && extra <= expected + 1, `${extra} extra pages, expected about ${expected}`);
    assert.equal(await pageCount(many.file), many.pages);
  });

  test('when a packet spans many pages, then every page has the running header and its page number', async () => {
    const { file, pages } = await renderPacket([{ code: 'FR', name: 'France', names: manyNames(1500) }], { packetId: 'pk-header-check' });

    const perPage = (await pdfText(file)).split('\f').slice(0, pages);
    assert.equal(perPage.length, pages);
    perPage.forEach((page, i) => {
      assert.match(page, /Free the detained/u, `title on page ${i + 1}`);
      assert.match(page, /Packet pk-header-check/u, `packet id on page ${i + 1}`);
      assert.match(page, new RegExp(`^page ${i + 1}$`, 'mu'), `number on page ${i + 1}`);
    });
  });

  test('when the packet is rendered, then the cover letter addresses the target and the table lists each country', async () => {
    const countries = [
      { code: 'FR', name: 'France', names: manyNames(1234) },
      { code: 'JP', name: 'Japan', names: ['山田 太郎'], unnamed: 2 },
      { code: 'SA', name: 'Saudi Arabia', names: [], unnamed: 3 },
    ];
    const { file } = await renderPacket(countries);

    const letter = await pdfText(file, '-f', '1', '-l', '1');
    for (const line of ['Zheng Zeguang', 'Ambassador', 'Embassy in London', '49 Portland Place', 'United Kingdom', 'March 14, 2025']) assert.ok(letter.includes(line), line);
    assert.match(letter.replace(/\s+/gu, ' '), /On behalf of 1,240 people from 3 countries, Uyghur Solidarity Network hands you the petition/u);
    assert.match(letter, /Release everyone held without charge\./u);
    assert.match(letter, /First paragraph\./u);

    const table = await pdfText(file, '-layout', '-f', '2', '-l', '2');
    assert.match(table, /France +1,234/u);
    assert.match(table, /Japan +3/u);
    assert.match(table, /Saudi Arabia +3/u);
    assert.match(table, /Total +1,240/u);

    const all = (await pdfText(file)).replace(/\s+/gu, ' ');
    assert.match(all, /Japan — 3 signatures 山田 太郎 and 2 signers shown by country only/u);
    assert.match(all, /Saudi Arabia — 3 signatures 3 signers shown by country only/u);
  });

  test('when the cover letter is in Arabic, then its sentences come out whole and right-aligned', async () => {
    const { file } = await renderPacket([{ code: 'EG', name: 'مصر', names: ['محمد عبد الرحمن'] }], { language: 'ar' as LetterLanguage });

    // Without its final comma: poppler puts a trailing neutral of a right-to-left line first.
    const closing = 'وتفضلوا بقبول فائق الاحترام';
    assert.ok((await pdfText(file, '-f', '1', '-l', '1')).includes(closing));
    const words = [...(await run('pdftotext', ['-bbox', '-f', '1', '-l', '1', file, '-'])).stdout.matchAll(/xMax="([\d.]+)"[^>]*>([^<]+)</gu)];
    // -bbox lists right-to-left words as drawn, i.e. reversed; the sentence's first word is its rightmost.
    const first = [...closing.split(' ')[0]!].reverse().join('');
    const rightEdge = Number(words.find(([, , word]) => word === first)?.[1]);
    assert.ok(rightEdge > 540, `the closing ends at x=${rightEdge}, not at the right margin`);
  });

  test('when a French letter carries a petition only written in Arabic, then it says so in French and sets the petition right to left in Arabic glyphs', async () => {
    const petition = { title: 'أطلقوا سراح المحتجزين', summary: 'أطلقوا سراح جميع المحتجزين دون تهمة', body: 'الفقرة الأولى من العريضة', target: 'الحكومة', language: 'ar' as const, fallback: true };
    const { file } = await renderPacket([{ code: 'FR', name: 'France', names: ['Élodie Durand'] }], { language: 'fr', petition });

    const letter = await pdfText(file, '-f', '1', '-l', '1');
    assert.match(letter.replace(/\s+/gu, ' '), /Au nom de 1 personne de 1 pays, Uyghur Solidarity Network vous remet la pétition/u);
    assert.match(letter.replace(/\s+/gu, ' '), /La pétition est jointe dans sa langue d’origine : arabe\./u);
    const missing = [petition.summary, petition.body].filter((text) => !letter.includes(text));
    assert.deepEqual(missing, [], 'the Arabic petition text, verbatim');
    const words = [...(await run('pdftotext', ['-bbox', '-f', '1', '-l', '1', file, '-'])).stdout.matchAll(/xMax="([\d.]+)"[^>]*>([^<]+)</gu)];
    // -bbox lists right-to-left words as drawn, i.e. reversed; the summary's and the title's first word is their rightmost.
    const first = [...'أطلقوا'].reverse().join('');
    const rightEdges = words.filter(([, , word]) => word === first).map(([, x]) => Math.round(Number(x)));
    // In the running header, the subject and the introduction the title sits in a French line; the demand and the
    // petition's title are paragraphs of their own, which end at the right margin.
    const atRightMargin = rightEdges.filter((x) => x > 540);
    assert.equal(atRightMargin.length, 2, `right edges of the petition's first word: ${rightEdges.join(', ')}`);
    assert.match((await run('pdffonts', [file])).stdout, /NotoNaskhArabic|NotoSansArabic/u);
  });

  test('when the same packet is rendered twice, then the files are identical', async () => {
    const countries = [{ code: 'CN', name: 'China', names: ['王小明', 'ئەخمەتجان مەمەت', 'Ayşe Yılmaz'] }];
    const [a, b] = [await renderPacket(countries), await renderPacket(countries)];
    assert.deepEqual(await readFile(a.file), await readFile(b.file));
  });

  test('when the consumer stops reading, then addSigners waits for it instead of buffering the PDF', async () => {
    const count = 60_000;
    let blocked = true;
    let held: (() => void) | null = null;
    let received = 0;
    const out = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (blocked && received > 64 * 1024) held = done;
        else done();
      },
    });
    const pdf = createPacketPdf(deps, anInput([{ code: 'FR', name: 'France', names: manyNames(count) }]), out);
    pdf.startCountry({ code: 'FR', name: 'France', count, unnamed: 0 });
    let settled = false;
    const adding = pdf.addSigners(manyNames(count)).then(() => (settled = true));

    // The writer yields every 1,000 names: without back-pressure it would be done within ~60 turns.
    while (!held) await nextTurn();
    for (let i = 0; i < 200; i++) await nextTurn();
    assert.equal(settled, false, 'addSigners finished while nobody read the PDF');

    blocked = false;
    (held as () => void)();
    await adding;
    assert.ok((await pdf.end()).pages > count / namesPerFullPage());
  });

  test('when the poster is made, then it is A3 and shows the number', async () => {
    const file = path.join(dir, 'poster.pdf');
    await writePoster(deps, { language: 'en', title: 'Free the detained', titleLanguage: 'en', total: 323832, countryCount: 184, organisation: 'Org', date: new Date('2025-03-14'), targetName: 'Embassy in London' }, createWriteStream(file));

    assert.match(await pdfInfo(file), /Page size:\s+841.89 x 1190.55 pts \(A3\)/u);
    const text = await pdfText(file);
    for (const part of ['323,832', 'signatures', 'from 184 countries', 'Free the detained']) assert.ok(text.includes(part), part);
  });

  test('when the fonts are missing, then the error names them and how to install them', () => {
    assert.throws(
      () => findPdfFonts([dir]),
      (error: unknown) =>
        error instanceof AppError && error.status === 503 && error.code === 'pdf_fonts_missing' && /NotoSans-Regular\.ttf/u.test(error.message) && /apt-get install fonts-noto-core fonts-noto-cjk/u.test(error.message),
    );
  });

  test('when a line mixes directions, then runs are ordered as the bidi algorithm shows them', () => {
    const options = { cjk: 'sc' as const, covers: () => true, has: () => true };
    const shown = (text: string, rtl: boolean) => visualOrder(splitRuns(text, { ...options, rtl }), rtl).map((r) => r.text);

    assert.deepEqual(shown('محمد Smith', true), ['Smith', ' ', 'محمد']);
    assert.deepEqual(shown('John دوست', false), ['John', ' ', 'دوست']);
    // fontkit would reverse digits inside a right-to-left run: they are a run of their own.
    assert.deepEqual(shown('وقّع 323,832 شخصًا', true), ['شخصًا', ' ', '323,832', ' ', 'وقّع']);
    // A guillemet at a right-to-left level is mirrored.
    assert.deepEqual(shown('عريضة «Free»', true), ['«', 'Free', '» ', 'عريضة']);
  });
});
