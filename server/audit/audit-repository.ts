import { Schema, type Connection } from 'mongoose';

export interface AuditEntry {
  at: Date;
  /** The account's email, or `cli:<os user>` for the command line. */
  actor: string;
  action: string;
  petition: string | null;
  /** What exactly, e.g. `{ what: 'signatures', format: 'csv', filters: {...} }`. No personal data. */
  details: Record<string, unknown>;
  rows: number | null;
}

const auditSchema = new Schema(
  {
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    action: { type: String, required: true },
    petition: { type: String },
    details: { type: Schema.Types.Mixed },
    rows: { type: Number },
  },
  { collection: 'audit_log', versionKey: false, minimize: false },
);

export function createAuditRepository(connection: Connection) {
  const Audit = connection.model('AuditEntry', auditSchema);
  return {
    async append(entry: AuditEntry): Promise<void> {
      await Audit.collection.insertOne({ ...entry });
    },
    /** Newest first. The log only grows by deliberate actions, so reading a page of it stays cheap. */
    async latest(limit: number, filter: { action?: string } = {}): Promise<AuditEntry[]> {
      const docs = await Audit.find(filter.action ? { action: filter.action } : {})
        .sort({ at: -1 })
        .limit(limit)
        .lean<(AuditEntry & { _id: unknown })[]>();
      return docs.map(({ _id, ...entry }) => ({ ...entry, petition: entry.petition ?? null, rows: entry.rows ?? null, details: entry.details ?? {} }));
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;

/** Records a deliberate action. Callers pass what they did; the clock is the log's. */
export function createAuditLog(repo: AuditRepository, clock: () => Date) {
  return {
    record: (entry: Omit<AuditEntry, 'at'>) => repo.append({ ...entry, at: clock() }),
    latest: (limit: number, filter: { action?: string } = {}) => repo.latest(limit, filter),
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
