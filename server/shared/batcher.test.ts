import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBatcher } from './batcher.js';

/** A promise with its resolve exposed, so a test decides when a "write" finishes. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createBatcher', () => {
  test('when items arrive while a write is in flight, then they go together in the next write', async () => {
    const writes: number[][] = [];
    const first = gate();
    const submit = createBatcher(async (items: number[]) => {
      writes.push(items);
      if (writes.length === 1) await first.opened;
      return items.map((n) => n * 10);
    });

    const results = [submit(1)];
    await tick();
    results.push(submit(2), submit(3), submit(4));
    await tick();
    assert.deepEqual(writes, [[1]], 'the later items wait for the write in flight');
    first.open();

    assert.deepEqual(await Promise.all(results), [10, 20, 30, 40]);
    assert.deepEqual(writes, [[1], [2, 3, 4]]);
  });

  test('when a batch is written, then each caller gets the result at its own position', async () => {
    const submit = createBatcher(async (items: string[]) => {
      await tick();
      return items.map((s) => s.toUpperCase());
    });
    const letters = ['a', 'b', 'c', 'd', 'e', 'f'];
    assert.deepEqual(await Promise.all(letters.map((l) => submit(l))), ['A', 'B', 'C', 'D', 'E', 'F']);
  });

  test('when more items wait than the maximum batch, then they are split into batches of that size', async () => {
    const sizes: number[] = [];
    const submit = createBatcher(async (items: number[]) => {
      sizes.push(items.length);
      await tick();
      return items;
    }, 3);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => submit(i)));
    assert.deepEqual(results, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(sizes, [1, 3, 3, 1]);
  });

  test('when one write fails, then only the callers in that batch are rejected and the next batch still runs', async () => {
    const batches: number[][] = [];
    const first = gate();
    const submit = createBatcher(async (items: number[]) => {
      batches.push(items);
      if (batches.length === 1) await first.opened;
      if (batches.length === 2) throw new Error('write failed');
      return items;
    });
    const settled = Promise.allSettled([submit(1), submit(2), submit(3)]);
    first.open();
    const results = await settled;
    const later = await submit(4);

    assert.deepEqual(batches, [[1], [2, 3], [4]]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected']);
    assert.ok(results.slice(1).every((r) => r.status === 'rejected' && (r.reason as Error).message === 'write failed'));
    assert.equal(later, 4);
  });

  test('when the write throws synchronously, then the callers are rejected rather than left hanging', async () => {
    const submit = createBatcher((): Promise<number[]> => {
      throw new Error('boom');
    });
    await assert.rejects(submit(1), /boom/);
  });
});
