import { createRequire } from 'node:module';
import { Marked } from 'marked';
import type sanitizeHtml from 'sanitize-html';

// Required on first use, not imported: with its HTML parser and postcss it adds about 10 MB to a
// process, and command-line scripts (a delivery packet among them) never render a page.
const require = createRequire(import.meta.url);
let sanitizer: typeof sanitizeHtml | undefined;
const sanitize = (html: string, policy: sanitizeHtml.IOptions) => (sanitizer ??= require('sanitize-html') as typeof sanitizeHtml)(html, policy);

// GitHub-flavoured line breaks off: a petition is prose, and a single newline is not a paragraph break.
const marked = new Marked({ async: false, gfm: true, breaks: false });
// No images in a petition body; their description stays, as text (the sanitiser escapes it).
marked.use({ renderer: { image: ({ text }) => text } });

/**
 * What a petition body may contain once rendered. Markdown passes raw HTML through, so the
 * sanitiser is the only guard: no images, no attributes but a link's href, no scripting schemes.
 */
const POLICY: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'a', 'ul', 'ol', 'li', 'blockquote', 'h2', 'h3', 'h4', 'code', 'pre'],
  allowedAttributes: { a: ['href', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  // Content of these is code or fallback markup, never prose: dropped whole rather than shown as text.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'template', 'svg', 'math'],
  disallowedTagsMode: 'discard',
  transformTags: {
    // The page's own <h1> is the title: body headings start one level down.
    h1: 'h2',
    h5: 'h4',
    h6: 'h4',
    a: (tagName, attribs) => ({ tagName, attribs: { ...(attribs.href ? { href: attribs.href } : {}), rel: 'nofollow noopener' } }),
  },
};

/** A petition body (Markdown, written by organisers) as HTML safe to put in a page unescaped. */
export function renderMarkdown(source: string): string {
  return sanitize(marked.parse(source, { async: false }), POLICY);
}
