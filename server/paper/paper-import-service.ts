import type { AuditLog } from '../audit/audit-repository.js';
import type { PetitionRepository } from '../petitions/petition-repository.js';
import type { Petition } from '../petitions/petition-types.js';
import type { DataProtector } from '../shared/data-protector.js';
import { AppError, NotFoundError } from '../shared/errors.js';
import type { NewSignatureRecord, SignatureRepository } from '../signatures/signature-repository.js';
import { counter, type TallyChanges, type TallyService } from '../tallies/tally-service.js';
import { decodeCsv, nextTurn, readPaperCsv } from './paper-csv.js';
import { tooLarge, type ImportReport, type ReportRow } from './paper-format.js';
import { validatePaperRow, type PaperRow } from './paper-row.js';

interface Deps {
  petitions: Pick<PetitionRepository, 'findBySlug'>;
  signatures: Pick<SignatureRepository, 'insertMany'>;
  tallies: Pick<TallyService, 'change'>;
  protector: DataProtector;
  audit: AuditLog;
  clock: () => Date;
  maxMb: number;
  /** Rows per insert: FerretDB commits (and fsyncs) once per write. */
  batchSize?: number;
}

interface Candidate {
  line: number;
  row: PaperRow;
  key: string;
}

const byLine = (a: ReportRow, b: ReportRow) => a.line - b.line;

export function createPaperImportService({ petitions, signatures, tallies, protector, audit, clock, maxMb, batchSize = 1000 }: Deps) {
  /** Closed petitions take paper collected before they closed; a draft has had no signatures to collect. */
  async function petitionFor(slug: string): Promise<Petition> {
    const petition = await petitions.findBySlug(slug);
    if (!petition) throw new NotFoundError('There is no such petition.');
    if (petition.status === 'draft') throw new AppError(409, 'import_draft', 'This petition is a draft. Open it before importing paper signatures.');
    return petition;
  }

  /**
   * The one-per-petition key. With an email: the same key as online signing, so a signer counts
   * once however they signed. Without: a keyed hash of the row's content and how many identical
   * rows came before it in the file, so re-importing a file adds nothing while two people with
   * the same name at the same stall still count twice.
   */
  function keyAssigner(duplicates: ReportRow[]) {
    const seenEmails = new Map<string, number>();
    const occurrences = new Map<string, number>();
    return (line: number, row: PaperRow): Candidate | null => {
      if (row.email) {
        const key = protector.emailHash(row.email.canonical);
        const first = seenEmails.get(key);
        if (first === undefined) {
          seenEmails.set(key, line);
          return { line, row, key };
        }
        duplicates.push({ line, reasons: [{ code: 'duplicateInFile', line: first }] });
        return null;
      }
      const content = JSON.stringify(['paper', row.firstName, row.lastName, row.country, row.postcode, row.collectedOn, row.collectedWhere]);
      const n = (occurrences.get(content) ?? 0) + 1;
      occurrences.set(content, n);
      return { line, row, key: `paper:${protector.emailHash(`${content}#${n}`)}` };
    };
  }

  const recordOf = (petition: Petition, { row, key }: Candidate, now: Date): NewSignatureRecord => ({
    petitionId: petition.id,
    emailHash: key,
    domainHash: row.email ? protector.domainHash(row.email.domain) : null,
    ipHash: null,
    country: row.country,
    status: 'confirmed',
    verification: petition.verification,
    consent: { updates: row.updates, hideName: false },
    ref: null,
    language: row.language,
    details: { firstName: row.firstName, lastName: row.lastName, email: row.email?.address ?? '', postcode: row.postcode, comment: '' },
    createdAt: now,
    source: 'paper',
    collectedAt: row.collectedAt,
    collectedWhere: row.collectedWhere,
  });

  /**
   * Imports one CSV file of paper signatures. Each batch is inserted, then counted: a crash between
   * the two leaves signatures whose paper count is missing, which `npm run recount` restores.
   */
  async function importFile({ slug, data, actor }: { slug: string; data: Uint8Array; actor: string }): Promise<ImportReport> {
    const petition = await petitionFor(slug);
    if (data.length > maxMb * 1024 * 1024) throw tooLarge(maxMb);
    const csv = await readPaperCsv(decodeCsv(data));
    const now = clock();

    const invalid: ReportRow[] = [...csv.broken];
    const duplicates: ReportRow[] = [];
    const acceptedLines: number[] = [];
    const assignKey = keyAssigner(duplicates);
    // Batch by batch, validation included: the awaits between batches keep the server answering others.
    for (let i = 0; i < csv.rows.length; i += batchSize) {
      const candidates: Candidate[] = [];
      for (const { line, fields } of csv.rows.slice(i, i + batchSize)) {
        const result = validatePaperRow(fields, now);
        const candidate = result.ok ? assignKey(line, result.row) : null;
        if (!result.ok) invalid.push({ line, reasons: result.reasons });
        else if (candidate) candidates.push(candidate);
      }
      if (candidates.length === 0) {
        await nextTurn();
        continue;
      }
      const outcomes = await signatures.insertMany(candidates.map((c) => recordOf(petition, c, now)));
      const changes: TallyChanges = {};
      const add = (field: string) => (changes[field] = (changes[field] ?? 0) + 1);
      candidates.forEach((candidate, at) => {
        if (outcomes[at] === 'created') {
          acceptedLines.push(candidate.line);
          add(counter.paper(candidate.row.country));
          add(counter.day(candidate.row.collectedAt));
        } else {
          duplicates.push({ line: candidate.line, reasons: [{ code: candidate.row.email ? 'alreadySigned' : 'alreadyImported' }] });
        }
      });
      if (Object.keys(changes).length > 0) await tallies.change(petition.id, changes);
    }

    const report: ImportReport = {
      petition: { slug: petition.slug, title: petition.title },
      bytes: data.length,
      accepted: acceptedLines.length,
      acceptedLines: acceptedLines.sort((a, b) => a - b),
      duplicates: duplicates.sort(byLine),
      invalid: invalid.sort(byLine),
    };
    await audit.record({
      actor,
      action: 'import.paper',
      petition: petition.slug,
      details: { fileBytes: report.bytes, accepted: report.accepted, duplicate: report.duplicates.length, invalid: report.invalid.length },
      rows: report.accepted,
    });
    return report;
  }

  return { petitionFor, importFile, maxMb };
}

export type PaperImportService = ReturnType<typeof createPaperImportService>;
