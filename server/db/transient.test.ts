import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isTransient, isUnavailable, withRetry } from './transient.js';

describe('transient database errors', () => {
  test('when SQLite reports a locked or busy database, then the error is transient', () => {
    assert.equal(isTransient(new Error('sqlite: step: database is locked (5) (SQLITE_BUSY)')), true);
    assert.equal(isTransient(new Error('database table is locked')), true);
  });

  test('when MongoDB labels an error retryable or a primary steps down, then it is transient', () => {
    assert.equal(isTransient(Object.assign(new Error('x'), { errorLabels: ['RetryableWriteError'] })), true);
    assert.equal(isTransient(Object.assign(new Error('not primary'), { code: 10107 })), true);
  });

  test('when an error is a duplicate key or a validation failure, then it is not transient', () => {
    assert.equal(isTransient(Object.assign(new Error('E11000 duplicate key'), { code: 11000 })), false);
    assert.equal(isTransient(new Error('invalid key: "a.b"')), false);
    assert.equal(isTransient(null), false);
  });

  test('when the connection is gone, even inside a bulk write error, then the database is unavailable', () => {
    const network = Object.assign(new Error('read ECONNRESET'), { name: 'MongoNetworkError' });
    assert.equal(isUnavailable(network), true);
    assert.equal(isUnavailable(Object.assign(new Error('read ECONNRESET'), { name: 'MongoBulkWriteError', errorResponse: network })), true);
    assert.equal(isUnavailable(Object.assign(new Error('no server'), { name: 'MongoServerSelectionError' })), true);
    assert.equal(isUnavailable(new Error('boom')), false);
  });

  test('when an operation fails transiently twice, then withRetry runs it a third time and returns its result', async () => {
    let calls = 0;
    const result = await withRetry(() => {
      calls += 1;
      return calls < 3 ? Promise.reject(new Error('database is locked')) : Promise.resolve('stored');
    }, { baseMs: 1 });
    assert.deepEqual({ result, calls }, { result: 'stored', calls: 3 });
  });

  test('when an operation fails for good, then withRetry does not repeat it', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(() => {
        calls += 1;
        return Promise.reject(new Error('invalid key'));
      }),
      /invalid key/,
    );
    assert.equal(calls, 1);
  });

  test('when a database stays locked, then withRetry gives up after its attempts', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(() => {
        calls += 1;
        return Promise.reject(new Error('database is locked'));
      }, { attempts: 4, baseMs: 1 }),
      /locked/,
    );
    assert.equal(calls, 4);
  });
});
