import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderMarkdown } from './markdown.js';

/** Every tag name and every attribute name in a piece of HTML. */
const tagsIn = (html: string) => [...html.matchAll(/<\/?([a-z0-9]+)/gi)].map((m) => m[1]!.toLowerCase());
const attributesIn = (html: string) =>
  [...html.matchAll(/<[a-z0-9]+([^>]*)>/gi)].flatMap((m) => [...(m[1] ?? '').replace(/="[^"]*"/g, '').matchAll(/[^\s/]+/g)].map((a) => a[0].toLowerCase()));
const ALLOWED_TAGS = new Set(['p', 'br', 'strong', 'em', 'a', 'ul', 'ol', 'li', 'blockquote', 'h2', 'h3', 'h4', 'code', 'pre']);

describe('renderMarkdown', () => {
  test('when the body uses basic Markdown, then it becomes the matching HTML', () => {
    const html = renderMarkdown('## Why\n\nWe ask **now**, _politely_.\n\n- one\n- two\n\n1. first\n\n> quoted\n\n`code`\n\nLine one  \nline two');
    assert.match(html, /<h2>Why<\/h2>/);
    assert.match(html, /<p>We ask <strong>now<\/strong>, <em>politely<\/em>.<\/p>/);
    assert.match(html, /<ul>\s*<li>one<\/li>\s*<li>two<\/li>\s*<\/ul>/);
    assert.match(html, /<ol>\s*<li>first<\/li>\s*<\/ol>/);
    assert.match(html, /<blockquote>\s*<p>quoted<\/p>\s*<\/blockquote>/);
    assert.match(html, /<code>code<\/code>/);
    assert.match(html, /Line one<br \/>\s*line two|Line one<br>\s*line two/);
  });

  test('when a link is http, https or mailto, then it is kept with rel="nofollow noopener"', () => {
    for (const href of ['https://example.org/a?b=c', 'http://example.org/', 'mailto:office@example.org']) {
      const html = renderMarkdown(`[the link](${href})`);
      assert.match(html, new RegExp(`<a href="${href.replace(/[?.]/g, '\\$&')}" rel="nofollow noopener">the link</a>`), html);
    }
  });

  test('when a heading is level 1 or 5, then it becomes h2 or h4 (the page title is the only h1)', () => {
    assert.match(renderMarkdown('# Big'), /<h2>Big<\/h2>/);
    assert.match(renderMarkdown('##### Small'), /<h4>Small<\/h4>/);
  });

  const hostile: [string, string][] = [
    ['a script tag', '<script>alert(1)</script>Hello'],
    ['a script tag in mixed case', '<ScRiPt>alert(1)</sCrIpT>Hello'],
    ['an img with onerror', '<img src=x onerror="alert(1)">Hello'],
    ['an onclick attribute on an allowed tag', '<p onclick="alert(1)">Hello</p>'],
    ['a Markdown javascript: link', '[Hello](javascript:alert(1))'],
    ['a javascript: link in mixed case', '[Hello](JaVaScRiPt:alert(1))'],
    ['a javascript: link with an encoded tab', '[Hello](jav&#x09;ascript:alert(1))'],
    ['a raw anchor with javascript:', '<a href="javascript:alert(1)">Hello</a>'],
    ['a data: URI link', '[Hello](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['a vbscript: link', '[Hello](vbscript:msgbox(1))'],
    ['a protocol-relative link', '<a href="//evil.example/x">Hello</a>'],
    ['a raw iframe', '<iframe src="https://evil.example/"></iframe>Hello'],
    ['an iframe with srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>Hello'],
    ['a Markdown image', '![Hello](https://evil.example/track.png)'],
    ['a data: image', '![Hello](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)'],
    ['an svg with onload', '<svg onload="alert(1)"><script>alert(1)</script></svg>Hello'],
    ['a style tag', '<style>body{display:none}</style>Hello'],
    ['a form with a button', '<form action="https://evil.example"><button>Hello</button></form>'],
    ['an object and embed', '<object data="x.swf"></object><embed src="x.swf">Hello'],
    ['a meta refresh', '<meta http-equiv="refresh" content="0;url=https://evil.example">Hello'],
    ['a link with style and target', '<a href="https://example.org" style="position:fixed" target="_blank" rel="opener">Hello</a>'],
    ['a comment hiding a script', '<!-- --><script>alert(1)</script><!-- -->Hello'],
    ['an unclosed tag trick', '<<script>alert(1);//<</script>Hello'],
  ];
  for (const [name, source] of hostile) {
    test(`when the body holds ${name}, then the output is inert and keeps the text`, () => {
      const html = renderMarkdown(source);
      for (const tag of tagsIn(html)) assert.ok(ALLOWED_TAGS.has(tag), `<${tag}> survived: ${html}`);
      for (const attribute of attributesIn(html)) assert.ok(['href', 'rel'].includes(attribute), `${attribute}= survived: ${html}`);
      for (const [, href] of html.matchAll(/href="([^"]*)"/g)) assert.match(href!, /^(https?:\/\/|mailto:)/, html);
      assert.doesNotMatch(html, /javascript:|vbscript:|data:|alert\(1\)|<script|onerror|onload|onclick/i, html);
      assert.match(html, /Hello/);
    });
  }

  test('when the body is code, then tags in it are shown as text, escaped', () => {
    const html = renderMarkdown('```\n<script>alert(1)</script>\n```');
    assert.match(html, /<pre><code>&lt;script&gt;alert\(1\)&lt;\/script&gt;\s*<\/code><\/pre>/);
  });
});
