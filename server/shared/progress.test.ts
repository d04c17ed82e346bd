import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createProgressSaver, type Progress } from './progress.js';

describe('createProgressSaver', () => {
  test('when progress comes faster than the interval, then counts are saved at most once per interval and each new phase at once', async () => {
    const saved: string[] = [];
    let clock = 0;
    const saver = createProgressSaver((p: Progress) => Promise.resolve(void saved.push(`${p.phase} ${p.done}`)), 1000, () => clock);
    for (const [at, phase, done] of [[0, 'reading', 0], [10, 'reading', 500], [1500, 'reading', 1000], [1600, 'writing', 0], [1700, 'writing', 10]] as const) {
      clock = at;
      saver.report({ phase, done, total: 1000 });
      await saver.settle();
    }
    assert.deepEqual(saved, ['reading 0', 'reading 1000', 'writing 0']);
  });

  test('when a phase begins while a write is in flight, then it is saved once that write ends', async () => {
    const saved: string[] = [];
    let release = () => {};
    const saver = createProgressSaver(async (p: Progress) => {
      saved.push(p.phase);
      if (p.phase === 'reading') await new Promise<void>((resolve) => (release = resolve));
    });
    saver.report({ phase: 'reading', done: 0, total: 1 });
    saver.report({ phase: 'storing', done: 1, total: 1 });
    release();
    await saver.settle();
    assert.deepEqual(saved, ['reading', 'storing']);
  });

  test('when saving fails, then the job goes on and settle still resolves', async () => {
    const saver = createProgressSaver(() => Promise.reject(new Error('database away')));
    saver.report({ phase: 'reading', done: 0, total: 1 });
    await saver.settle();
  });
});
