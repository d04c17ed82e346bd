import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import pino from 'pino';
import { createI18n } from '../i18n/i18n.js';
import { AppError } from '../shared/errors.js';
import { createErrorHandler } from './error-handler.js';

let server: ReturnType<express.Express['listen']>;
let base: string;

before(async () => {
  const app = express();
  app.use((req, res, next) => {
    res.locals.lang = typeof req.query.lang === 'string' ? req.query.lang : 'en';
    next();
  });
  app.get('/api/photo', () => {
    throw new AppError(413, 'photo_too_large', 'The photo is larger than 5 MB.', { photo: 'photo_too_large' }, { vars: { maxMb: 5 } });
  });
  app.get('/api/unheard-of', () => {
    throw new AppError(409, 'unheard_of', 'A sentence no catalogue has.');
  });
  app.use(createErrorHandler(await createI18n(), pino({ level: 'silent' })));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.close();
});

const errorAt = async (path: string) => {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: (await res.json()) as { error: { code: string; message: string; fields?: Record<string, string> } } };
};

describe('the error handler', () => {
  test('when an error code has a sentence with values, then the reader gets it in their language with the values filled in', async () => {
    const { status, body } = await errorAt('/api/photo?lang=fr');

    assert.equal(status, 413);
    assert.deepEqual(body.error, { code: 'photo_too_large', message: 'La photo dépasse 5 Mo.', fields: { photo: 'La photo est trop volumineuse.' } });
  });

  test('when an error code has no sentence in the catalogues, then the reader gets its English message and its status, not a 500', async () => {
    const { status, body } = await errorAt('/api/unheard-of?lang=ar');

    assert.equal(status, 409);
    assert.deepEqual(body.error, { code: 'unheard_of', message: 'A sentence no catalogue has.' });
  });
});
