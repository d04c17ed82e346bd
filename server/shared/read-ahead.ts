/** What readAhead needs of a driver cursor (mongodb's FindCursor has it). */
export interface BatchCursor<T> {
  hasNext(): Promise<boolean>;
  readBufferedDocuments(): T[];
  close(): Promise<void>;
}

/**
 * A cursor's documents, asking for the next batch as soon as one has arrived. The driver asks only
 * once its buffer is empty, so the database would wait while the app works through a batch and the
 * app while the database prepares the next: here the two overlap. Closes the cursor when done or
 * abandoned.
 */
export async function* readAhead<T>(cursor: BatchCursor<T>): AsyncGenerator<T> {
  let more = cursor.hasNext();
  try {
    while (await more) {
      const batch = cursor.readBufferedDocuments();
      more = cursor.hasNext();
      yield* batch;
    }
  } finally {
    // Abandoned mid-batch, the fetch already asked for fails once the cursor is closed: nobody waits for it.
    more.catch(() => undefined);
    await cursor.close();
  }
}
