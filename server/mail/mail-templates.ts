import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { I18n } from '../i18n/i18n.js';
import { fromRoot } from '../shared/project-root.js';

export type TemplateName = 'confirm-signature' | 'already-signed' | 'signature-counted' | 'delivery-update';
const NAMES: TemplateName[] = ['confirm-signature', 'already-signed', 'signature-counted', 'delivery-update'];
/** `mail-name` → catalogue key `mail.mailName`. */
const catalogueKey = (name: TemplateName) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** One folder per message with an HTML and a plain-text template; subjects come from the catalogue. */
export function createMailTemplates(i18n: I18n) {
  const html = Handlebars.create();
  const text = Handlebars.create();
  // Plain text must not be HTML-escaped.
  const load = (name: string, file: string) => readFileSync(fromRoot('server/mail/templates', name, file), 'utf8');
  const compiled = new Map(
    NAMES.map((name) => [name, { html: html.compile(load(name, 'html.hbs')), text: text.compile(load(name, 'text.hbs'), { noEscape: true }) }]),
  );
  for (const hb of [html, text]) {
    hb.registerHelper('t', (key: string, options: Handlebars.HelperOptions) =>
      i18n.t(String((options.data as { root: { lang: string } }).root.lang), key, options.hash as Record<string, unknown>),
    );
  }

  return {
    render(name: TemplateName, lang: string, vars: Record<string, unknown>) {
      const template = compiled.get(name)!;
      const context = { ...vars, lang, dir: i18n.direction(lang) };
      return { subject: i18n.t(lang, `mail.${catalogueKey(name)}.subject`, vars), html: template.html(context), text: template.text(context) };
    },
  };
}

export type MailTemplates = ReturnType<typeof createMailTemplates>;
