import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Transporter } from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers, e.g. List-Unsubscribe (RFC 2369) and List-Unsubscribe-Post (RFC 8058). */
  headers?: Record<string, string>;
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * nodemailer is loaded on the first send: command-line scripts build every service but send no
 * mail, and the library adds about 8 MB to a process.
 */
function lazyTransporter(options: object) {
  let transporter: Promise<Transporter> | undefined;
  let created: Transporter | undefined;
  return {
    get: () =>
      (transporter ??= import('nodemailer').then(({ default: nodemailer }) => {
        created = nodemailer.createTransport(options);
        return created;
      })),
    close: () => created?.close(),
  };
}

/** SMTP when SMTP_URL is set; otherwise each message becomes an .eml file under DATA_DIR/mail. */
export function createMailTransport(options: { smtpUrl?: string; from: string; dataDir: string; connections?: number }): MailTransport {
  if (options.smtpUrl) {
    // Every send must end well inside the outbox claim lease (5 min), or another instance would
    // take the job over and send it again; nodemailer's own socket timeout is 10 minutes.
    // Pooled: after a signing flood the outbox sends thousands in a row, and a connection per
    // message would make catching up several times slower.
    const transporter = lazyTransporter({
      url: options.smtpUrl,
      pool: true,
      maxConnections: options.connections ?? 2,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });
    return {
      async send(mail) {
        await (await transporter.get()).sendMail({ from: options.from, ...mail });
      },
      close: () => transporter.close(),
    };
  }
  const dir = path.join(options.dataDir, 'mail');
  const transporter = lazyTransporter({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const info = await (await transporter.get()).sendMail({ from: options.from, ...mail });
      await mkdir(dir, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^a-zA-Z0-9-]/g, '')}.eml`;
      await writeFile(path.join(dir, name), info.message as Buffer, { mode: 0o600 });
    },
    close: () => transporter.close(),
  };
}
