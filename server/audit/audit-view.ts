/**
 * An entry's details as a line a person reads, such as `filters: email [given], country GB · shown: 12`.
 * Each value is shown as the code that recorded it wrote it (already redacted there).
 */
export function describeDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([name, value]) => `${name}: ${describeValue(value)}`)
    .join(' · ');
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.length ? value.map(describeValue).join(', ') : 'none';
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length ? entries.map(([name, inner]) => `${name} ${describeValue(inner)}`).join(', ') : 'none';
  }
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}
