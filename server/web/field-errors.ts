/** Field error codes (errors.field.*) as sentences in the reader's language, for re-rendered forms. */
export const fieldMessages = (fields: Record<string, string> | undefined, t: (key: string) => string): Record<string, string> =>
  Object.fromEntries(Object.entries(fields ?? {}).map(([field, code]) => [field, t(`errors.field.${code}`)]));
