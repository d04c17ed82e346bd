import { marked, type Token } from 'marked';

export interface TextBlock {
  kind: 'heading' | 'paragraph' | 'item';
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00A0' };
// marked's lexer keeps character references as typed; a letter shows the characters.
const decode = (text: string) =>
  text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/giu, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });

function inline(tokens: Token[]): string {
  return tokens
    .map((t) => {
      if (t.type === 'html') return '';
      if (t.type === 'br') return ' ';
      if ('tokens' in t && Array.isArray(t.tokens)) return inline(t.tokens);
      return 'text' in t && typeof t.text === 'string' ? t.text : '';
    })
    .join('');
}

/** A petition body (Markdown) as plain blocks for print: headings, paragraphs and list items, without markup or raw HTML. */
export function markdownBlocks(markdown: string): TextBlock[] {
  const blocks: TextBlock[] = [];
  const walk = (tokens: Token[]) => {
    for (const t of tokens) {
      if (t.type === 'heading' || t.type === 'paragraph') blocks.push({ kind: t.type, text: inline(t.tokens ?? []) });
      else if (t.type === 'list') for (const item of t.items as Token[]) blocks.push({ kind: 'item', text: inline('tokens' in item ? (item.tokens ?? []) : []) });
      else if (t.type === 'blockquote') walk(t.tokens ?? []);
      else if (t.type === 'code' || t.type === 'text') blocks.push({ kind: 'paragraph', text: typeof t.text === 'string' ? t.text : '' });
    }
  };
  walk(marked.lexer(markdown));
  return blocks.map((b) => ({ ...b, text: decode(b.text).replace(/\s+/gu, ' ').trim() })).filter((b) => b.text);
}
