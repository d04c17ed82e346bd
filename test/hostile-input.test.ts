import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { aSigner, getJson, givenPetition, postJson } from './helpers/builders.js';
import { startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.stop();
});

const signUrl = (slug: string) => `${stack.baseUrl}/api/v1/petitions/${slug}/signatures`;

/** A petition that counts at once (no email verification), so a wrongly accepted input shows up immediately. */
const givenCountingPetition = () => givenPetition(stack, { verification: 'none' });

async function assertNothingStored(slug: string): Promise<void> {
  const details = await getJson<{ total: number }>(`${stack.baseUrl}/api/v1/petitions/${slug}`);
  assert.equal(details.status, 200);
  assert.equal(details.body.total, 0, 'the petition total is unchanged');
  const petition = await stack.database.connection.collection('petitions').findOne({ slug });
  assert.ok(petition, 'the petition exists');
  assert.equal(await stack.database.connection.collection('signatures').countDocuments({ petitionId: petition._id }), 0, 'no signature was stored');
}

const assertNoStackTrace = (text: string) => assert.doesNotMatch(text, /\n\s+at |node_modules|\.[jt]s:\d+/, 'no stack trace in the response');
const fieldMessage = (reason: string) => stack.services.i18n.t('en', `errors.field.${reason}`);
/** The catalogue sentence for an error code (malformed_json -> errors.malformedJson); a missing entry would come back as the key. */
const errorMessage = (code: string) => stack.services.i18n.t('en', `errors.${code.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())}`);

// ---------------------------------------------------------------------------------------------
// The JSON API
// ---------------------------------------------------------------------------------------------

type Send =
  | { json: Record<string, unknown> }
  | { raw: string | Buffer; headers?: Record<string, string> };

interface ApiCase {
  when: string;
  send: Send;
  status: 400 | 413 | 415 | 422;
  code: string;
  /** For field problems: the field that must be named, and why (a key of errors.field.*). */
  field?: [name: string, reason: string];
}

/** A good signer with some fields replaced: only the hostile part differs from an accepted submission. */
const signer = (overrides: Record<string, unknown>): Send => ({ json: aSigner(overrides) });
/** Raw JSON text: a good signer whose `key` holds `json` verbatim (for keys and values JavaScript objects cannot carry, such as __proto__). */
const withRaw = (key: string, json: string): Send => {
  const rest = aSigner();
  delete rest[key];
  return { raw: `{${JSON.stringify(key)}:${json},${JSON.stringify(rest).slice(1)}` };
};
/** Raw bytes: a good signer with `bytes`, as they came off the wire, inserted after the third character of `field`. */
const withBytes = (field: string, bytes: number[]): Send => {
  const good = aSigner({ comment: 'Free them now.' });
  const value = String(good[field]);
  const marked = JSON.stringify({ ...good, [field]: `${value.slice(0, 3)}\u0001${value.slice(3)}` });
  const [head, tail] = marked.split('\\u0001') as [string, string];
  return { raw: Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]) };
};
const nested = (depth: number, leaf = '"x"') => `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;

const OPERATOR = { $gt: '' };
const validation = (field: string, reason: string) => ({ status: 422 as const, code: 'validation_failed', field: [field, reason] as [string, string] });
const unsupported = { status: 415 as const, code: 'unsupported_media_type' };
const malformed = { status: 400 as const, code: 'malformed_json' };

const apiCases: ApiCase[] = [
  // Wrong types, for every field
  { when: 'the email is an object {"$gt":""}', send: signer({ email: OPERATOR }), ...validation('email', 'type') },
  { when: 'the email is an operator {"$ne":null}', send: signer({ email: { $ne: null } }), ...validation('email', 'type') },
  { when: 'the email is an array', send: signer({ email: ['a@example.org', 'b@example.org'] }), ...validation('email', 'type') },
  { when: 'the email is a number', send: signer({ email: 12345 }), ...validation('email', 'type') },
  { when: 'the email is null', send: signer({ email: null }), ...validation('email', 'type') },
  { when: 'the country is an operator {"$in":["GB"]}', send: signer({ country: { $in: ['GB'] } }), ...validation('country', 'type') },
  { when: 'the country is an operator {"$ne":"ZZ"}', send: signer({ country: { $ne: 'ZZ' } }), ...validation('country', 'type') },
  { when: 'the country is a boolean', send: signer({ country: true }), ...validation('country', 'type') },
  { when: 'the first name is an object {"$gt":""}', send: signer({ firstName: OPERATOR }), ...validation('firstName', 'type') },
  { when: 'the first name is a boolean', send: signer({ firstName: false }), ...validation('firstName', 'type') },
  { when: 'the last name is an array', send: signer({ lastName: ['Tursun'] }), ...validation('lastName', 'type') },
  { when: 'the last name is null', send: signer({ lastName: null }), ...validation('lastName', 'type') },
  { when: 'the postcode is a number', send: signer({ postcode: 75001 }), ...validation('postcode', 'type') },
  { when: 'the postcode is an object {"$gt":""}', send: signer({ postcode: OPERATOR }), ...validation('postcode', 'type') },
  { when: 'the comment is a $where operator object', send: signer({ comment: { $where: 'sleep(1000)' } }), ...validation('comment', 'type') },
  { when: 'the comment is a boolean', send: signer({ comment: true }), ...validation('comment', 'type') },
  { when: 'the ref is a boolean', send: signer({ ref: true }), ...validation('ref', 'type') },
  { when: 'the ref is an object {"$gt":""}', send: signer({ ref: OPERATOR }), ...validation('ref', 'type') },
  { when: 'updates is the string "maybe"', send: signer({ updates: 'maybe' }), ...validation('updates', 'boolean') },
  { when: 'updates is the number 2', send: signer({ updates: 2 }), ...validation('updates', 'boolean') },
  { when: 'hideName is an object {"$gt":""}', send: signer({ hideName: OPERATOR }), ...validation('hideName', 'boolean') },
  { when: 'hideName is null', send: signer({ hideName: null }), ...validation('hideName', 'boolean') },

  // Bodies that are not a JSON object
  { when: 'the JSON is malformed (cut short)', send: { raw: '{"firstName":"Ana","email":' }, ...malformed },
  { when: 'the JSON uses single quotes', send: { raw: "{'firstName':'Ana'}" }, ...malformed },
  { when: 'the JSON has a trailing comma', send: { raw: `${JSON.stringify(aSigner()).slice(0, -1)},}` }, ...malformed },
  { when: 'the JSON is a string', send: { raw: '"firstName"' }, ...malformed },
  { when: 'the JSON is null', send: { raw: 'null' }, ...malformed },
  { when: 'the JSON is a number', send: { raw: '42' }, ...malformed },
  { when: 'the JSON is an array holding a good signer', send: { raw: JSON.stringify([aSigner()]) }, ...validation('body', 'type') },
  { when: 'the JSON body is empty', send: { raw: '' }, ...validation('email', 'required') },

  // Size
  { when: 'the body is larger than 16 kB', send: signer({ comment: 'x'.repeat(17 * 1024) }), status: 413, code: 'body_too_large' },
  { when: 'a gzip body inflates to more than 16 kB', send: { raw: gzipSync(JSON.stringify(aSigner({ comment: ' '.repeat(200_000) }))), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }, status: 413, code: 'body_too_large' },

  // Content types and encodings
  { when: 'the content type is text/plain', send: { raw: JSON.stringify(aSigner()), headers: { 'content-type': 'text/plain' } }, ...unsupported },
  { when: 'the content type is application/x-www-form-urlencoded', send: { raw: new URLSearchParams(aSigner() as Record<string, string>).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }, ...unsupported },
  { when: 'the content type is multipart/form-data', send: { raw: '--b\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.org\r\n--b--\r\n', headers: { 'content-type': 'multipart/form-data; boundary=b' } }, ...unsupported },
  { when: 'the content type is application/xml', send: { raw: '<signature><email>a@example.org</email></signature>', headers: { 'content-type': 'application/xml' } }, ...unsupported },
  { when: 'a JSON body comes with no content type', send: { raw: JSON.stringify(aSigner()), headers: {} }, ...unsupported },
  { when: 'the JSON is declared as latin1', send: { raw: JSON.stringify(aSigner()), headers: { 'content-type': 'application/json; charset=latin1' } }, ...unsupported },
  { when: 'the body claims gzip but is not compressed', send: { raw: JSON.stringify(aSigner()), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }, status: 400, code: 'bad_request' },
  { when: 'the body has an unknown content encoding', send: { raw: JSON.stringify(aSigner()), headers: { 'content-type': 'application/json', 'content-encoding': 'x-unknown' } }, ...unsupported },

  // Countries
  { when: 'the country is ZZ', send: signer({ country: 'ZZ' }), ...validation('country', 'country_unknown') },
  { when: 'the country is empty', send: signer({ country: '' }), ...validation('country', 'required') },
  { when: 'the country is the three-letter code GBR', send: signer({ country: 'GBR' }), ...validation('country', 'country_unknown') },
  { when: 'the country is an unknown lowercase code "zz"', send: signer({ country: 'zz' }), ...validation('country', 'country_unknown') },
  { when: 'the country is "UK" (not an ISO code)', send: signer({ country: 'UK' }), ...validation('country', 'country_unknown') },
  { when: 'the country is "__proto__"', send: signer({ country: '__proto__' }), ...validation('country', 'too_long') },

  // Emails
  { when: 'the email has no @', send: signer({ email: 'ana.example.org' }), ...validation('email', 'email_invalid') },
  { when: 'the email has no top-level domain', send: signer({ email: 'ana@example' }), ...validation('email', 'email_invalid') },
  { when: 'the email has two @', send: signer({ email: 'ana@@example.org' }), ...validation('email', 'email_invalid') },
  { when: 'the email has double dots', send: signer({ email: 'ana..lima@example.org' }), ...validation('email', 'email_invalid') },
  { when: 'the email carries a CR/LF header injection', send: signer({ email: 'ana@example.org\r\nBcc: victim@example.net' }), ...validation('email', 'email_invalid') },
  { when: 'the email contains a NUL character', send: signer({ email: 'ana\u0000@example.org' }), ...validation('email', 'email_invalid') },
  { when: 'the email is longer than 254 characters', send: signer({ email: `ana@${'a'.repeat(62)}.${'b'.repeat(62)}.${'c'.repeat(62)}.${'d'.repeat(62)}.org` }), ...validation('email', 'too_long') },

  // Control and bidi characters, header injection in names
  { when: 'the first name carries a CR/LF header injection', send: signer({ firstName: 'Ana\r\nBcc: victim@example.net' }), ...validation('firstName', 'invalid_characters') },
  { when: 'the last name contains a line feed', send: signer({ lastName: 'Tursun\nSubject: hi' }), ...validation('lastName', 'invalid_characters') },
  { when: 'the first name contains a NUL character', send: signer({ firstName: 'Ana\u0000' }), ...validation('firstName', 'invalid_characters') },
  { when: 'the last name contains a bell character U+0007', send: signer({ lastName: 'Tur\u0007sun' }), ...validation('lastName', 'invalid_characters') },
  { when: 'the first name contains an escape sequence', send: signer({ firstName: '\u001b[31mAna' }), ...validation('firstName', 'invalid_characters') },
  { when: 'the comment contains a NUL character', send: signer({ comment: 'Free them\u0000' }), ...validation('comment', 'invalid_characters') },
  { when: 'the comment contains an escape sequence', send: signer({ comment: 'Free them \u001b]0;owned\u0007' }), ...validation('comment', 'invalid_characters') },
  { when: 'the first name contains a right-to-left override U+202E', send: signer({ firstName: 'Ana\u202eamiL' }), ...validation('firstName', 'invalid_characters') },
  { when: 'the last name contains a left-to-right isolate U+2066', send: signer({ lastName: '\u2066Tursun\u2069' }), ...validation('lastName', 'invalid_characters') },
  { when: 'the comment contains a right-to-left override U+202E', send: signer({ comment: 'I agree \u202eeerga ton od I' }), ...validation('comment', 'invalid_characters') },

  // Lengths and content
  { when: 'the comment is 501 characters', send: signer({ comment: 'x'.repeat(501) }), ...validation('comment', 'too_long') },
  { when: 'the first name is 101 characters', send: signer({ firstName: 'a'.repeat(101) }), ...validation('firstName', 'too_long') },
  { when: 'the last name is 1,000 characters', send: signer({ lastName: 'a'.repeat(1000) }), ...validation('lastName', 'too_long') },
  { when: 'the first name has no letters', send: signer({ firstName: '12345' }), ...validation('firstName', 'invalid') },
  { when: 'the last name is only punctuation', send: signer({ lastName: '!!! ---' }), ...validation('lastName', 'invalid') },
  { when: 'the postcode holds an operator "$gt"', send: signer({ postcode: '$gt' }), ...validation('postcode', 'invalid_characters') },

  // Keys that are not fields
  { when: 'the body has a "__proto__" key', send: withRaw('__proto__', '{"admin":true}'), ...validation('__proto__', 'unknown_field') },
  { when: 'the body has a "constructor" key', send: withRaw('constructor', '{"prototype":{"admin":true}}'), ...validation('constructor', 'unknown_field') },
  { when: 'the body has an unknown field "status"', send: signer({ status: 'confirmed' }), ...validation('status', 'unknown_field') },
  { when: 'the body has an unknown field "petitionId" with an operator', send: signer({ petitionId: { $ne: null } }), ...validation('petitionId', 'unknown_field') },

  // ref
  { when: 'the ref holds markup', send: signer({ ref: '<script>x</script>' }), ...validation('ref', 'ref_invalid') },
  { when: 'the ref holds a path', send: signer({ ref: '../../etc/passwd' }), ...validation('ref', 'ref_invalid') },
  { when: 'the ref is 41 characters', send: signer({ ref: 'a'.repeat(41) }), ...validation('ref', 'too_long') },

  // Shapes built to exhaust the parser or the validator
  { when: 'the first name is an object nested 2,000 deep', send: withRaw('firstName', nested(2000)), ...validation('firstName', 'type') },
  { when: 'an unknown field holds arrays nested 7,000 deep', send: withRaw('x', `${'['.repeat(7000)}${']'.repeat(7000)}`), ...validation('x', 'unknown_field') },
  { when: 'the body has 1,400 keys', send: withRaw('k0', `0,${Array.from({ length: 1399 }, (_, i) => `"k${i + 1}":0`).join(',')}`), ...validation('k0', 'unknown_field') },

  // Encoding damage
  { when: 'the first name has invalid UTF-8 bytes', send: withBytes('firstName', [0xff, 0xfe]), ...validation('firstName', 'invalid_characters') },
  { when: 'the last name has an overlong UTF-8 encoding', send: withBytes('lastName', [0xc0, 0xaf]), ...validation('lastName', 'invalid_characters') },
  { when: 'the comment has a truncated UTF-8 sequence', send: withBytes('comment', [0xe2, 0x82]), ...validation('comment', 'invalid_characters') },
  { when: 'the email has invalid UTF-8 bytes', send: withBytes('email', [0xff]), ...validation('email', 'email_invalid') },
  { when: 'the last name has an unpaired surrogate escape', send: withRaw('lastName', '"Tursun\\ud800"'), ...validation('lastName', 'invalid_characters') },
];

async function sendCase(url: string, send: Send) {
  if ('json' in send) return postJson(url, send.json);
  const headers = send.headers ?? { 'content-type': 'application/json' };
  const res = await fetch(url, { method: 'POST', headers, body: typeof send.raw === 'string' ? send.raw : new Uint8Array(send.raw) });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the test will say so
  }
  return { status: res.status, body, text, contentType: res.headers.get('content-type') };
}

describe('hostile input to the JSON API', () => {
  test('when a good signer signs (the baseline every hostile case departs from), then it is counted at once', async () => {
    const petition = await givenCountingPetition();
    const res = await postJson(signUrl(petition.slug), aSigner());
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { status: 'signed' });
    assert.equal((await getJson<{ total: number }>(`${stack.baseUrl}/api/v1/petitions/${petition.slug}`)).body.total, 1);
  });

  test('when the raw-bytes helper inserts no bytes, then the signer is accepted (so the encoding cases test the bytes alone)', async () => {
    for (const field of ['firstName', 'lastName', 'email', 'comment']) {
      const petition = await givenCountingPetition();
      const res = await sendCase(signUrl(petition.slug), withBytes(field, []));
      assert.equal(res.status, 202, `${field}: ${res.text}`);
    }
  });

  for (const c of apiCases) {
    const outcome = c.field ? `${c.status} names the ${c.field[0]} field` : `${c.status} ${c.code}`;
    test(`when ${c.when}, then ${outcome} and nothing is stored`, async () => {
      const petition = await givenCountingPetition();

      const res = await sendCase(signUrl(petition.slug), c.send);

      assert.equal(res.status, c.status, res.text.slice(0, 500));
      assertNoStackTrace(res.text);
      const error = (res.body as { error?: { code?: unknown; message?: unknown; fields?: Record<string, unknown> } } | null)?.error;
      assert.ok(error, `a JSON error object, got: ${res.text.slice(0, 200)}`);
      assert.equal(error.code, c.code);
      assert.doesNotMatch(errorMessage(c.code), /^errors\./, `the catalogue has a message for ${c.code}`);
      assert.equal(error.message, errorMessage(c.code));
      if (c.field) {
        const [name, reason] = c.field;
        assert.ok(error.fields && Object.hasOwn(error.fields, name), `fields names ${name}: ${JSON.stringify(error.fields)?.slice(0, 200)}`);
        assert.equal(error.fields[name], fieldMessage(reason));
      }
      await assertNothingStored(petition.slug);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The HTML form
// ---------------------------------------------------------------------------------------------

interface OpenedForm {
  csrf: string;
  started: string;
  cookie: string;
}

/** What a browser does: load the petition page, keep its cookies and hidden fields. */
async function openForm(slug: string): Promise<OpenedForm> {
  const res = await fetch(`${stack.baseUrl}/petitions/${slug}`);
  assert.equal(res.status, 200);
  const html = await res.text();
  const hidden = (name: string) => {
    const value = new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];
    assert.ok(value, `the page has a hidden ${name} field`);
    return value;
  };
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0] ?? '');
  assert.ok(cookies.some((c) => c.startsWith('hv_sid=')), 'the page sets the browser id cookie');
  assert.ok(cookies.some((c) => c.startsWith('hv.x-csrf=')), 'the page sets the CSRF cookie');
  return { csrf: hidden('_csrf'), started: hidden('started'), cookie: cookies.join('; ') };
}

async function postForm(slug: string, fields: Record<string, string> | [string, string][], cookie: string) {
  const res = await fetch(`${stack.baseUrl}/petitions/${slug}/sign`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  return { status: res.status, location: res.headers.get('location'), text: await res.text(), contentType: res.headers.get('content-type') ?? '' };
}

/** The fields a person fills in, plus the hidden ones the page gave us. */
const aFormSubmission = (form: OpenedForm, overrides: Record<string, string> = {}): Record<string, string> => ({
  _csrf: form.csrf,
  started: form.started,
  website: '',
  ...(aSigner({ lastName: 'Tursun-Ismail', postcode: 'SW1A 1AA', comment: 'Free them now.' }) as Record<string, string>),
  ...overrides,
});

// Handlebars' escaping, so the test can look for what was typed exactly as the page must show it.
const escapeHtml = (s: string) =>
  s.replace(/[&<>"'`=]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' })[c] ?? c);

interface FormCase {
  when: string;
  overrides: Record<string, string>;
  field: string;
  reason: string;
}

const formCases: FormCase[] = [
  { when: 'the email is not an address', overrides: { email: 'not-an-address' }, field: 'email', reason: 'email_invalid' },
  { when: 'the email is empty', overrides: { email: '' }, field: 'email', reason: 'required' },
  { when: 'the email carries a CR/LF header injection', overrides: { email: 'ana@example.org\r\nBcc: victim@example.net' }, field: 'email', reason: 'email_invalid' },
  { when: 'the country is unknown (ZZ)', overrides: { country: 'ZZ' }, field: 'country', reason: 'country_unknown' },
  { when: 'the first name contains a NUL character', overrides: { firstName: 'Ana\u0000' }, field: 'firstName', reason: 'invalid_characters' },
  { when: 'the last name contains a right-to-left override', overrides: { lastName: 'Tursun\u202e' }, field: 'lastName', reason: 'invalid_characters' },
  { when: 'the first name has no letters', overrides: { firstName: '1234' }, field: 'firstName', reason: 'invalid' },
  { when: 'the first name is 101 characters', overrides: { firstName: 'a'.repeat(101) }, field: 'firstName', reason: 'too_long' },
  { when: 'the comment is 501 characters', overrides: { comment: 'x'.repeat(501) }, field: 'comment', reason: 'too_long' },
  { when: 'the comment contains an escape character', overrides: { comment: 'Free \u001b[2J them' }, field: 'comment', reason: 'invalid_characters' },
  { when: 'the postcode has punctuation', overrides: { postcode: 'SW1A;DROP' }, field: 'postcode', reason: 'invalid_characters' },
];

describe('hostile input to the HTML sign form', () => {
  test('when a person fills the form in properly (the baseline), then they are sent to the thank-you page and counted', async () => {
    const petition = await givenCountingPetition();
    const form = await openForm(petition.slug);
    const res = await postForm(petition.slug, aFormSubmission(form), form.cookie);
    assert.equal(res.status, 303, res.text.slice(0, 300));
    assert.equal(res.location, `/petitions/${petition.slug}/thanks`);
    assert.equal((await getJson<{ total: number }>(`${stack.baseUrl}/api/v1/petitions/${petition.slug}`)).body.total, 1);
  });

  for (const c of formCases) {
    test(`when ${c.when}, then 422 shows the error next to the ${c.field} field, keeps what was typed and stores nothing`, async () => {
      const petition = await givenCountingPetition();
      const form = await openForm(petition.slug);
      const submitted = aFormSubmission(form, c.overrides);

      const res = await postForm(petition.slug, submitted, form.cookie);

      assert.equal(res.status, 422);
      assert.match(res.contentType, /text\/html/);
      assertNoStackTrace(res.text);
      assert.ok(res.text.includes(`<p class="field-error" id="${c.field}-error">${escapeHtml(fieldMessage(c.reason))}</p>`), `the ${c.field} error is shown`);
      assert.match(res.text, new RegExp(`id="${c.field}"[^>]*aria-invalid="true"`));
      for (const kept of ['firstName', 'lastName', 'email', 'postcode'].filter((f) => f !== c.field)) {
        assert.ok(res.text.includes(`value="${escapeHtml(submitted[kept] ?? '')}"`), `the typed ${kept} is kept`);
      }
      if (c.field !== 'comment') assert.ok(res.text.includes(`>${escapeHtml(submitted.comment ?? '')}</textarea>`), 'the typed comment is kept');
      if (c.field !== 'country') assert.ok(res.text.includes(`<option value="${submitted.country}" selected>`), 'the chosen country is kept');
      await assertNothingStored(petition.slug);
    });
  }

  test('when a typed value holds markup and another field is wrong, then the markup comes back escaped, never as HTML', async () => {
    const petition = await givenCountingPetition();
    const form = await openForm(petition.slug);
    const res = await postForm(petition.slug, aFormSubmission(form, { lastName: '"><script>alert(1)</script>', email: 'bad' }), form.cookie);
    assert.equal(res.status, 422);
    assert.ok(!res.text.includes('<script>alert(1)</script>'));
    assert.ok(res.text.includes('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"'));
    await assertNothingStored(petition.slug);
  });

  test('when the CSRF token is missing, then 403 and nothing is stored', async () => {
    const petition = await givenCountingPetition();
    const form = await openForm(petition.slug);
    const withoutToken = aFormSubmission(form);
    delete withoutToken._csrf;
    const res = await postForm(petition.slug, withoutToken, form.cookie);
    assert.equal(res.status, 403);
    assert.match(res.contentType, /text\/html/);
    assert.ok(res.text.includes(escapeHtml(stack.services.i18n.t('en', 'errors.csrf'))));
    await assertNothingStored(petition.slug);
  });

  test('when the CSRF token is wrong, then 403 and nothing is stored', async () => {
    const petition = await givenCountingPetition();
    const form = await openForm(petition.slug);
    const res = await postForm(petition.slug, aFormSubmission(form, { _csrf: `${'0'.repeat(64)}.${'1'.repeat(64)}` }), form.cookie);
    assert.equal(res.status, 403);
    await assertNothingStored(petition.slug);
  });

  test('when the CSRF token is sent twice (an array), then 403 and nothing is stored', async () => {
    const petition = await givenCountingPetition();
    const form = await openForm(petition.slug);
    const fields = Object.entries(aFormSubmission(form));
    const res = await postForm(petition.slug, [...fields, ['_csrf', form.csrf]], form.cookie);
    assert.equal(res.status, 403);
    await assertNothingStored(petition.slug);
  });

  test('when the token is right but the cookies are missing, then 403 and nothing is stored', async () => {
    const petition = await givenCountingPetition();
    const form = await openForm(petition.slug);
    const res = await postForm(petition.slug, aFormSubmission(form), '');
    assert.equal(res.status, 403);
    await assertNothingStored(petition.slug);
  });

  test('when the token comes from another browser, then 403 and nothing is stored', async () => {
    const petition = await givenCountingPetition();
    const [mine, theirs] = [await openForm(petition.slug), await openForm(petition.slug)];
    const res = await postForm(petition.slug, aFormSubmission(theirs), mine.cookie);
    assert.equal(res.status, 403);
    await assertNothingStored(petition.slug);
  });

  test('when the honeypot field "website" is filled in, then 422 and nothing is stored', async () => {
    const petition = await givenCountingPetition();
    const form = await openForm(petition.slug);
    const res = await postForm(petition.slug, aFormSubmission(form, { website: 'https://spam.example' }), form.cookie);
    assert.equal(res.status, 422);
    assert.ok(res.text.includes(escapeHtml(stack.services.i18n.t('en', 'errors.automated'))));
    await assertNothingStored(petition.slug);
  });

  test('when the signed start time is forged, then 422 asks to submit again, keeps what was typed and stores nothing', async () => {
    const petition = await givenCountingPetition();
    const form = await openForm(petition.slug);
    const submitted = aFormSubmission(form, { started: '0.forged' });
    const res = await postForm(petition.slug, submitted, form.cookie);
    assert.equal(res.status, 422);
    assert.ok(res.text.includes(escapeHtml(stack.services.i18n.t('en', 'sign.tooFast'))));
    assert.ok(res.text.includes(`value="${escapeHtml(submitted.email ?? '')}"`));
    await assertNothingStored(petition.slug);
  });

  test('when the form has more than 50 fields, then 413 and nothing is stored', async () => {
    const petition = await givenCountingPetition();
    const form = await openForm(petition.slug);
    const padding = Array.from({ length: 60 }, (_, i): [string, string] => [`x${i}`, '1']);
    const res = await postForm(petition.slug, [...Object.entries(aFormSubmission(form)), ...padding], form.cookie);
    assert.equal(res.status, 413);
    assertNoStackTrace(res.text);
    await assertNothingStored(petition.slug);
  });

  test('when the form body is larger than 16 kB, then 413 and nothing is stored', async () => {
    const petition = await givenCountingPetition();
    const form = await openForm(petition.slug);
    const res = await postForm(petition.slug, aFormSubmission(form, { comment: 'x'.repeat(17 * 1024) }), form.cookie);
    assert.equal(res.status, 413);
    await assertNothingStored(petition.slug);
  });

  test('when the CSRF cookie is a JSON cookie ("j:" prefix), then the petition page still renders with a fresh token', async () => {
    const petition = await givenCountingPetition();
    const res = await fetch(`${stack.baseUrl}/petitions/${petition.slug}`, { headers: { cookie: 'hv.x-csrf=j:{"a":1}; hv_sid=j:["x"]' } });
    const html = await res.text();
    assert.equal(res.status, 200, html.slice(0, 300));
    assert.match(html, /name="_csrf" value="[0-9a-f]+\.[0-9a-f]+"/);
  });
});
