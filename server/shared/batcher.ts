/**
 * Group commit: items submitted while a write is in flight go together in the next write.
 * At low load every item is written at once, alone; under load one round trip carries many,
 * which is what lets signing keep up with the database's batch rate instead of its single-insert rate.
 */
export function createBatcher<I, R>(write: (items: I[]) => Promise<R[]>, maxBatch = 500, { gapMs = 0 } = {}): (item: I) => Promise<R> {
  let queue: { item: I; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let inFlight = false;
  let lastStart = 0;

  const flush = async () => {
    inFlight = true;
    while (queue.length > 0) {
      // With a gap, writes start at most every gapMs: a costly write then carries more items.
      const wait = lastStart + gapMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      lastStart = Date.now();
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const results = await write(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i] as R));
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    inFlight = false;
  };

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!inFlight) void flush();
    });
}
