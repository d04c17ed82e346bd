import { setTimeout as sleep } from 'node:timers/promises';
import type { mongo } from 'mongoose';
import type { FileStore } from '../files/file-repository.js';
import type { DataProtector } from '../shared/data-protector.js';
import { SEALED_COLLECTIONS, type Change, type Checkpoint, type KeyRotationRepository } from './key-rotation-repository.js';

interface Deps {
  repo: KeyRotationRepository;
  protector: DataProtector;
  files: Pick<FileStore, 'list' | 'reseal' | 'removeStrayContent'>;
  batchSize: number;
  /** A pause after each batch, to leave the database's one writer to the app meanwhile. */
  pauseMs?: number;
  progress?: (line: string) => void;
}

export interface RotationResult {
  keyId: string;
  resealed: number;
  /** Values (and files) still under another key after the walk: 0 means the old keys can go. */
  remaining: Record<string, number>;
}

const FILES = 'files';
const stages = [...SEALED_COLLECTIONS.map((c) => c.name), FILES];

/**
 * `npm run rotate-key`: every sealed value and file, sealed again under the current DATA_KEY while the
 * app keeps serving (it reads both keys). Walks each collection once in `_id` order, writes a batch at
 * a time and records a checkpoint after each, so a run that stops resumes where it was; a value the app
 * wrote meanwhile is already under the new key. Ends by counting what is still under an old key.
 */
export async function rotateDataKey({ repo, protector, files, batchSize, pauseMs = 0, progress = () => undefined }: Deps): Promise<RotationResult> {
  const saved = await repo.checkpoint();
  const state: Checkpoint =
    saved && saved.keyId === protector.keyId && !saved.finishedAt ? saved : { keyId: protector.keyId, stage: 0, after: null, resealed: 0, finishedAt: null };
  if (state.stage > 0 || state.after !== null) progress(`resuming at ${stages[state.stage]} after ${String(state.after)} (${state.resealed} re-sealed so far)`);

  const step = async (after: unknown, count: number) => {
    state.after = after;
    state.resealed += count;
    await repo.save(state);
    progress(`${stages[state.stage]}: through ${String(after)}, ${state.resealed} re-sealed`);
    if (pauseMs > 0) await sleep(pauseMs);
  };

  for (; state.stage < stages.length; state.stage += 1, state.after = null, await repo.save(state)) {
    const sealed = SEALED_COLLECTIONS[state.stage];
    if (!sealed) {
      for (let batch = await files.list(state.after as mongo.ObjectId | null, batchSize); batch.length > 0; batch = await files.list(state.after as mongo.ObjectId, batchSize)) {
        let count = 0;
        for (const file of batch) if (await files.reseal(file)) count += 1;
        await step(batch.at(-1)!._id, count);
      }
      continue;
    }
    for await (const batch of repo.batches(sealed.name, state.after, batchSize)) {
      const changes: Change[] = [];
      for (const doc of batch) {
        const change: Change = { id: doc._id, before: {}, after: {} };
        for (const f of sealed.fields) {
          const value = repo.sealedAt(doc, f);
          if (!value || protector.isCurrent(value)) continue;
          const resealed = protector.reseal(value, f.context(doc));
          change.before[f.path] = repo.raw(doc, f.path);
          change.after[f.path] = f.stored === 'base64' ? resealed.toString('base64') : resealed;
        }
        if (Object.keys(change.after).length > 0) changes.push(change);
      }
      await step(batch.at(-1)!._id, await repo.write(sealed.name, changes));
    }
  }

  const strays = await files.removeStrayContent();
  if (strays > 0) progress(`removed ${strays} content file(s) left by an interrupted run`);
  const remaining = await countOld({ repo, protector, files, batchSize });
  state.finishedAt = new Date();
  await repo.save(state);
  return { keyId: protector.keyId, resealed: state.resealed, remaining };
}

/** What is still sealed under a key other than the current one, per collection (and `files`). */
export async function countOld({ repo, protector, files, batchSize }: Pick<Deps, 'repo' | 'protector' | 'files' | 'batchSize'>): Promise<Record<string, number>> {
  const remaining: Record<string, number> = {};
  for (const { name, fields } of SEALED_COLLECTIONS) {
    remaining[name] = 0;
    for await (const batch of repo.batches(name, null, batchSize)) {
      for (const doc of batch) {
        for (const f of fields) {
          const value = repo.sealedAt(doc, f);
          if (value && !protector.isCurrent(value)) remaining[name] += 1;
        }
      }
    }
  }
  remaining[FILES] = 0;
  for (let batch = await files.list(null, batchSize); batch.length > 0; batch = await files.list(batch.at(-1)!._id, batchSize)) {
    remaining[FILES] += batch.filter((f) => f.metadata?.sealed === 1 && f.metadata.keyId !== protector.keyId).length;
  }
  return remaining;
}
