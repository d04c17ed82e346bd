import path from 'node:path';
import { z } from 'zod';
import { isSingleLine } from '../shared/plain-text.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.coerce.number().int().positive();

// One line of security.txt (and the privacy notice's contact): no whitespace (a URL parser would quietly drop a newline that starts a forged field).
function isSecurityContact(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'mailto:' && /^[^@\s]+@[^@\s]+$/.test(decodeURIComponent(url.pathname))) || (url.protocol === 'https:' && url.hostname !== '');
  } catch {
    return false;
  }
}

/** Every setting the app reads, with its default. `.env.example` mirrors this list. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  /** A request must arrive whole within this (else 408); uploads of photos and paper CSVs from a slow phone need most of it. */
  HTTP_REQUEST_TIMEOUT_SECONDS: z.coerce.number().positive().default(60),
  /** A request's headers must arrive within this; at most HTTP_REQUEST_TIMEOUT_SECONDS. */
  HTTP_HEADERS_TIMEOUT_SECONDS: z.coerce.number().positive().default(10),
  /** An idle kept-alive connection is closed after this. */
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: z.coerce.number().positive().default(5),
  BASE_URL: z.url().optional(),
  MONGODB_URI: z.string().startsWith('mongodb').optional(),
  DATA_DIR: z.string().default('./data'),
  DATA_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  /** Former DATA_KEYs, comma-separated: read, never written, until `npm run rotate-key` has re-sealed everything. */
  DATA_KEYS_OLD: z
    .string()
    .refine((v) => v.split(',').every((k) => Buffer.from(k.trim(), 'base64').length === 32), 'each key must be 32 bytes, base64-encoded')
    .optional(),
  /** The key keyed hashes (and signature ids) derive from; never rotated. Unset: DATA_KEY. Set it to the first DATA_KEY before rotating. */
  HASH_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  FERRETDB_BIN: z.string().default('./.tools/ferretdb/ferretdb'),
  SMTP_URL: z.string().startsWith('smtp').optional(),
  MAIL_FROM: z.string().default('Handover <no-reply@handover.local>'),
  CONFIRM_TOKEN_TTL_HOURS: positiveInt.default(168),
  // Unconfirmed signatures are deleted this many days after their confirmation link expired (signatures/signature-purge.ts).
  PURGE_GRACE_DAYS: positiveInt.default(7),
  RATE_LIMIT_SIGN_PER_MINUTE: positiveInt.default(20),
  RATE_LIMIT_CONFIRM_PER_MINUTE: positiveInt.default(30),
  FORM_MIN_FILL_SECONDS: z.coerce.number().min(0).default(3),
  OUTBOX_POLL_MS: positiveInt.default(500),
  OUTBOX_MAX_ATTEMPTS: positiveInt.default(12),
  OUTBOX_CONCURRENCY: positiveInt.default(2),
  OUTBOX_RETRY_BASE_MS: positiveInt.default(30_000),
  MAIL_YIELD_ABOVE_INFLIGHT: positiveInt.default(16),
  /** A signing or confirming step still unfinished after this long was cut short; recovery finishes it. */
  JOURNAL_RECOVER_AFTER_SECONDS: positiveInt.default(60),
  /** A mail job claimed this long ago by a worker that has not finished it is taken up again. */
  OUTBOX_LEASE_SECONDS: positiveInt.default(300),
  COUNT_CACHE_SECONDS: z.coerce.number().min(0).default(2),
  /** Least milliseconds between two writes of one petition's counts: under load each write carries more changes. */
  TALLY_WRITE_GAP_MS: z.coerce.number().int().min(0).max(1000).default(20),
  /**
   * Petitions without email verification show others (the public, analysts) their counts as published at
   * most this often, so that nobody can tell from the counts whether an address had signed; 0 shows live counts.
   */
  UNVERIFIED_COUNTS_PUBLISH_MINUTES: z.coerce.number().int().min(0).max(1440).default(60),
  SESSION_IDLE_MINUTES: positiveInt.default(30),
  SESSION_MAX_HOURS: positiveInt.default(12),
  /** Failed sign-ins one client address may make in 15 minutes, over all accounts, before it is refused. */
  LOGIN_MAX_PER_IP: positiveInt.default(30),
  /** Failed sign-ins one client address may make on one account before each attempt waits (1 s, doubling). */
  LOGIN_FREE_FAILURES: positiveInt.default(3),
  /** The longest such wait; under the 15 minutes after which failures are forgotten. */
  LOGIN_MAX_WAIT_SECONDS: positiveInt.max(600).default(300),
  /** Failed sign-ins on one account, from all addresses, after which every attempt on it is slowed (never refused). */
  LOGIN_SLOW_AFTER_PER_ACCOUNT: positiveInt.default(10),
  /** scrypt cost of new password hashes, as log2 of N; below 15 only in tests, whose many sign-ins it slows. */
  PASSWORD_SCRYPT_LOG2_N: z.coerce.number().int().min(10).max(20).default(15),
  TRENDING_WINDOW_MINUTES: positiveInt.default(60),
  TRENDING_FLAG_THRESHOLD: positiveInt.default(50),
  /** Largest paper-signature CSV one import takes, in MB (web upload and CLI alike). */
  IMPORT_MAX_MB: positiveInt.default(10),
  /** Signs packet cover letters and appears on the handover poster. */
  ORGANISATION_NAME: z.string().trim().min(1).max(200).default('The Handover campaign'),
  /** Colon-separated folders holding the Noto fonts of packet PDFs (Debian's fonts-noto-core and fonts-noto-cjk). */
  PDF_FONT_DIRS: z.string().default('/usr/share/fonts/truetype/noto:/usr/share/fonts/opentype/noto'),
  /** Largest delivery photo an organiser may upload, in MB; it is re-encoded to a smaller JPEG anyway. */
  DELIVERY_PHOTO_MAX_MB: positiveInt.default(8),
  /** Where to report a vulnerability (mailto: or https:), published in /.well-known/security.txt; unset: no such file. */
  SECURITY_CONTACT: z
    .string()
    .refine(isSecurityContact, 'must be a mailto: address (mailto:security@example.org) or an https: URL')
    .optional(),
  /** How signers reach the controller (ORGANISATION_NAME) about their data, on the privacy notice: mailto: or https:. Required in production. */
  PRIVACY_CONTACT: z
    .string()
    .refine(isSecurityContact, 'must be a mailto: address (mailto:privacy@example.org) or an https: URL')
    .optional(),
  /** The controller's postal address, one line, shown on the privacy notice; unset: none shown. */
  PRIVACY_ADDRESS: z
    .string()
    .trim()
    .max(300)
    .refine(isSingleLine, 'must be one line, without control characters')
    .optional(),
  /** The supervisory authority's page where signers may complain (https:), linked from the privacy notice. */
  PRIVACY_AUTHORITY_URL: z
    .url({ protocol: /^https$/, error: 'must be an https: URL' })
    .optional(),
  TRUST_PROXY: z.string().default('loopback'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEED_DEMO: bool.default(true),
});

export type RawConfig = z.infer<typeof configSchema>;

export interface Config extends Omit<RawConfig, 'BASE_URL' | 'DATA_DIR' | 'FERRETDB_BIN'> {
  BASE_URL: string;
  DATA_DIR: string;
  FERRETDB_BIN: string;
  isProduction: boolean;
}

export class ConfigError extends Error {}

/** Validate the environment. Never transforms silently: a bad value is an error naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const raw = parsed.data;
  // Node refuses to start a server whose headers may take longer than the whole request.
  if (raw.HTTP_HEADERS_TIMEOUT_SECONDS > raw.HTTP_REQUEST_TIMEOUT_SECONDS) {
    throw new ConfigError('Invalid configuration:\n  HTTP_HEADERS_TIMEOUT_SECONDS: must be at most HTTP_REQUEST_TIMEOUT_SECONDS');
  }
  if (raw.PASSWORD_SCRYPT_LOG2_N < 15 && raw.NODE_ENV !== 'test') {
    throw new ConfigError('Invalid configuration:\n  PASSWORD_SCRYPT_LOG2_N: below 15 only in tests');
  }
  const isProduction = raw.NODE_ENV === 'production';
  if (isProduction) {
    const missing = (['DATA_KEY', 'BASE_URL', 'SMTP_URL', 'PRIVACY_CONTACT'] as const).filter((k) => !raw[k]);
    if (missing.length > 0) {
      throw new ConfigError(`Invalid configuration:\n${missing.map((k) => `  ${k}: required in production`).join('\n')}`);
    }
  }
  return {
    ...raw,
    BASE_URL: (raw.BASE_URL ?? `http://localhost:${raw.PORT}`).replace(/\/+$/, ''),
    DATA_DIR: path.resolve(raw.DATA_DIR),
    FERRETDB_BIN: path.resolve(raw.FERRETDB_BIN),
    isProduction,
  };
}
