import { FAMILIES, type CjkVariant, type Family } from './fonts.js';

/** A stretch of text drawn with one font in one direction. */
export interface Run {
  text: string;
  family: Family;
  rtl: boolean;
  /** Spaces and punctuation between runs of different scripts: their direction comes from their neighbours. */
  neutral: boolean;
}

export interface RunOptions {
  cjk: CjkVariant;
  /** The paragraph direction: neutrals at either end that meet a run of the other direction stay apart. */
  rtl: boolean;
  /** Whether a font has a glyph; neutral characters stay in a run only when its font can draw them. */
  covers: (family: Family, codePoint: number) => boolean;
  /** Optional scripts whose font is not installed are drawn with the sans font. */
  has: (family: Family) => boolean;
}

type Strong = { family: Family | 'cjk'; rtl: boolean };

const SCRIPTS: [RegExp, Strong][] = [
  [/[\p{sc=Latin}\p{sc=Cyrillic}\p{sc=Greek}]/u, { family: 'sans', rtl: false }],
  [/\p{sc=Arabic}/u, { family: 'arabic', rtl: true }],
  [/\p{sc=Hebrew}/u, { family: 'hebrew', rtl: true }],
  [/[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Bopomofo}]/u, { family: 'cjk', rtl: false }],
  [/\p{sc=Devanagari}/u, { family: 'devanagari', rtl: false }],
  [/\p{sc=Bengali}/u, { family: 'bengali', rtl: false }],
  [/\p{sc=Tamil}/u, { family: 'tamil', rtl: false }],
  [/\p{sc=Thai}/u, { family: 'thai', rtl: false }],
  [/\p{sc=Armenian}/u, { family: 'armenian', rtl: false }],
  [/\p{sc=Georgian}/u, { family: 'georgian', rtl: false }],
  [/\p{sc=Ethiopic}/u, { family: 'ethiopic', rtl: false }],
];
const MARK = /\p{sc=Inherited}/u;
const DIGIT = /[0-9]/;
const NEUTRAL = /\p{sc=Common}/u;
const OTHER: Strong = { family: 'sans', rtl: false };
const DIGITS: Strong = { family: 'sans', rtl: false };
/** Most names: one sans run, no per-character work. */
const SANS_ONLY = /^[\p{sc=Latin}\p{sc=Cyrillic}\p{sc=Greek}\p{sc=Inherited}\u0020-\u007E\u00A0-\u00FF\u2010-\u201F]*$/u;
const KANA = /[\p{sc=Hiragana}\p{sc=Katakana}]/u;
const HANGUL = /\p{sc=Hangul}/u;

const MIRRORED: Record<string, string> = { '(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{', '<': '>', '>': '<', '«': '»', '»': '«', '‹': '›', '›': '‹' };
const mirror = (text: string) => (/[()[\]{}<>«»‹›]/u.test(text) ? text.replace(/[()[\]{}<>«»‹›]/gu, (c) => MIRRORED[c] ?? c) : text);

type Kind = Strong | 'mark' | 'neutral' | 'digit';

function classify(ch: string): Kind {
  for (const [re, strong] of SCRIPTS) if (re.test(ch)) return strong;
  if (MARK.test(ch)) return 'mark';
  if (DIGIT.test(ch)) return 'digit';
  return NEUTRAL.test(ch) ? 'neutral' : OTHER;
}

function coversAll(options: RunOptions, family: Family, chars: string): boolean {
  for (const c of chars) if (!options.covers(family, c.codePointAt(0)!)) return false;
  return true;
}

/** The font for spaces and punctuation between runs: a neighbour's if it has them, else the first that does. */
function neutralFamily(options: RunOptions, chars: string, preferred: (Family | null | undefined)[]): Family {
  for (const family of [...preferred, ...FAMILIES]) if (family && options.has(family) && coversAll(options, family, chars)) return family;
  return 'sans';
}

/** The paragraph direction: that of the first strong letter (UAX #9, rules P2–P3); digits are not strong. */
export function isRtlText(text: string): boolean {
  if (SANS_ONLY.test(text)) return false;
  for (const ch of text) {
    const kind = classify(ch);
    if (typeof kind === 'object') return kind.rtl;
  }
  return false;
}

/**
 * Splits text into runs by script. Spaces and punctuation join the run around them when its font has them and
 * the bidi algorithm would give them its direction; otherwise they become a neutral run. Digits start their own
 * left-to-right run inside right-to-left text, because fontkit reverses a right-to-left run whole, digits included.
 */
export function splitRuns(text: string, options: RunOptions): Run[] {
  if (!options.rtl && SANS_ONLY.test(text)) return text ? [{ text, family: 'sans', rtl: false, neutral: false }] : [];
  // Kana or Hangul anywhere tells which face the Han characters of this text want.
  const cjk: CjkVariant = KANA.test(text) ? 'jp' : HANGUL.test(text) ? 'kr' : options.cjk;
  const runs: Run[] = [];
  let current: Run | null = null;
  let pending = '';
  const flushPending = (next: Family | null) => {
    if (pending) runs.push({ text: pending, family: neutralFamily(options, pending, [current?.family, next, 'sans', `cjk-${cjk}`]), rtl: false, neutral: true });
    pending = '';
  };

  for (const ch of text) {
    let kind = classify(ch);
    if (kind === 'mark') {
      if (pending || !current) pending += ch;
      else current.text += ch;
      continue;
    }
    // After left-to-right text a digit continues that run (with its separators); after right-to-left text it starts one.
    if (kind === 'digit') kind = current && !current.rtl ? { family: current.family, rtl: false } : DIGITS;
    if (kind === 'neutral') {
      pending += ch;
      continue;
    }
    const family: Family = kind.family === 'cjk' ? `cjk-${cjk}` : options.has(kind.family) ? kind.family : 'sans';
    if (current && current.family === family && current.rtl === kind.rtl && coversAll(options, family, pending)) {
      current.text += pending + ch;
      pending = '';
    } else if (!current && kind.rtl === options.rtl && coversAll(options, family, pending)) {
      current = { text: pending + ch, family, rtl: kind.rtl, neutral: false };
      pending = '';
    } else {
      if (current) runs.push(current);
      flushPending(family);
      current = { text: ch, family, rtl: kind.rtl, neutral: false };
    }
  }
  if (current && current.rtl === options.rtl && coversAll(options, current.family, pending)) {
    current.text += pending;
    pending = '';
  }
  if (current) runs.push(current);
  flushPending(null);
  return runs;
}

/**
 * Orders runs left to right on the page: the run level of the Unicode bidi algorithm, which is enough for names and
 * letter lines (levels 0–2). Each right-to-left run is itself shaped and reversed by fontkit.
 */
export function visualOrder(runs: Run[], rtlBase: boolean): Run[] {
  const strong = (from: number, step: number): boolean => {
    for (let i = from; i >= 0 && i < runs.length; i += step) if (!runs[i]!.neutral) return runs[i]!.rtl;
    return rtlBase;
  };
  const rtl = runs.map((run, i) => {
    if (!run.neutral) return run.rtl;
    const before = strong(i - 1, -1);
    return before === strong(i + 1, 1) ? before : rtlBase;
  });
  // Fontkit reverses a right-to-left run but the Noto fonts have no 'rtlm' feature to mirror brackets and
  // guillemets in it; neutral runs at a right-to-left level are reversed here too.
  const items = runs.map((run, i) => {
    if (!rtl[i]) return { run, rtl: false };
    const text = run.neutral ? [...mirror(run.text)].reverse().join('') : mirror(run.text);
    return { run: text === run.text ? run : { ...run, text }, rtl: true };
  });
  if (rtlBase) items.reverse();
  // Reverse each maximal group running against the base direction back into reading order.
  const out: Run[] = [];
  for (let i = 0; i < items.length; ) {
    let j = i;
    while (j < items.length && items[j]!.rtl !== rtlBase) j++;
    if (j > i) {
      out.push(...items.slice(i, j).map((item) => item.run).reverse());
      i = j;
    } else out.push(items[i++]!.run);
  }
  return out;
}
