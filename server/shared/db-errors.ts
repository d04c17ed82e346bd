/** MongoDB's (and FerretDB's) duplicate key error: how unique-id inserts learn they lost. */
export const isDuplicateKey = (error: unknown): boolean => (error as { code?: number } | null)?.code === 11000;
