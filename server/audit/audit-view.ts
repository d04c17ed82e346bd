/**
 * An entry's details as a line a person reads, such as `filters: email [given], country GB · shown: 12`.
 * Each value is shown as the code that recorded it wrote it (already redacted there); an empty one is `none`,
 * the one word here in the reader's language.
 */
export function describeDetails(details: Record<string, unknown>, none = 'none'): string {
  const describe = (value: unknown): string => {
    if (value === null || value === undefined) return none;
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) return value.length ? value.map(describe).join(', ') : none;
    if (typeof value === 'object') {
      const entries = Object.entries(value);
      return entries.length ? entries.map(([name, inner]) => `${name} ${describe(inner)}`).join(', ') : none;
    }
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  };
  return Object.entries(details)
    .map(([name, value]) => `${name}: ${describe(value)}`)
    .join(' · ');
}
