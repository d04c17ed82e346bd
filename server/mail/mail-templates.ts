import { readdirSync, readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { I18n } from '../i18n/i18n.js';
import { fromRoot } from '../shared/project-root.js';

/** `mail-name` → catalogue key `mail.mailName`. */
const catalogueKey = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** One folder per message (whichever feature's) with an HTML and a plain-text template; subjects come from the catalogue. */
export function createMailTemplates(i18n: I18n) {
  const html = Handlebars.create();
  const text = Handlebars.create();
  // Plain text must not be HTML-escaped.
  const load = (name: string, file: string) => readFileSync(fromRoot('server/mail/templates', name, file), 'utf8');
  const names = readdirSync(fromRoot('server/mail/templates'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  const compiled = new Map(
    names.map((name) => [name, { html: html.compile(load(name, 'html.hbs')), text: text.compile(load(name, 'text.hbs'), { noEscape: true }) }]),
  );
  for (const hb of [html, text]) {
    hb.registerHelper('t', (key: string, options: Handlebars.HelperOptions) =>
      i18n.t(String((options.data as { root: { lang: string } }).root.lang), key, options.hash as Record<string, unknown>),
    );
  }

  return {
    render(name: string, lang: string, vars: Record<string, unknown>) {
      const template = compiled.get(name);
      if (!template) throw new Error(`No mail template "${name}" in server/mail/templates.`);
      const context = { ...vars, lang, dir: i18n.direction(lang) };
      return { subject: i18n.t(lang, `mail.${catalogueKey(name)}.subject`, vars), html: template.html(context), text: template.text(context) };
    },
  };
}

export type MailTemplates = ReturnType<typeof createMailTemplates>;
