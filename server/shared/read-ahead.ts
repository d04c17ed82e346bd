/** What readAheadBatches needs of a driver cursor (mongodb's FindCursor has it). */
export interface BatchCursor<T> {
  hasNext(): Promise<boolean>;
  readBufferedDocuments(): T[];
  close(): Promise<void>;
}

/**
 * A cursor's documents a batch at a time, asking for the next batch as soon as one has arrived. The
 * driver asks only once its buffer is empty, so the database would wait while the app works through
 * a batch and the app while the database prepares the next: here the two overlap. Whole batches,
 * because a consumer awaiting each document pays for it per row. Closes the cursor when done or
 * abandoned.
 */
export async function* readAheadBatches<T>(cursor: BatchCursor<T>): AsyncGenerator<T[]> {
  let more = cursor.hasNext();
  try {
    while (await more) {
      const batch = cursor.readBufferedDocuments();
      more = cursor.hasNext();
      yield batch;
    }
  } finally {
    // Abandoned mid-batch, the fetch already asked for fails once the cursor is closed: nobody waits for it.
    more.catch(() => undefined);
    await cursor.close();
  }
}
