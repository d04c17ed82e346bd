import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Bot checks for the HTML form: a honeypot field people never see, and a signed timestamp
 * so a form submitted faster than a person can fill it is turned back (without losing what was typed).
 */
export function createFormGuard(secret: Buffer, minFillSeconds: number, clock: () => Date) {
  const sign = (ts: string) => createHmac('sha256', secret).update(`form-started:${ts}`).digest('base64url');
  return {
    HONEYPOT: 'website',
    issue(): string {
      const ts = String(clock().getTime());
      return `${ts}.${sign(ts)}`;
    },
    check(body: Record<string, unknown>): 'ok' | 'honeypot' | 'too_fast' {
      const trap = body.website;
      if (typeof trap !== 'string' || trap !== '') return trap === undefined ? 'too_fast' : 'honeypot';
      const [ts = '', mac = ''] = typeof body.started === 'string' ? body.started.split('.') : [];
      const expected = Buffer.from(sign(ts));
      const given = Buffer.from(mac);
      if (!/^\d+$/.test(ts) || given.length !== expected.length || !timingSafeEqual(given, expected)) return 'too_fast';
      return clock().getTime() - Number(ts) >= minFillSeconds * 1000 ? 'ok' : 'too_fast';
    },
  };
}

export type FormGuard = ReturnType<typeof createFormGuard>;
