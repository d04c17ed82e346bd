/** How far a long job (a packet, an export) has come: `done` of `total` in its current phase. */
export interface Progress {
  phase: string;
  done: number;
  total: number;
}

/** 'removed': the job's file is gone (downloaded, or expired). */
export type JobState = 'building' | 'ready' | 'failed' | 'removed';

/** What the workspace's status endpoints answer, and its progress bars show. */
export interface JobStatus extends Progress {
  state: JobState;
  error?: string;
}

/**
 * Keeps a job's latest progress where other requests (and other app instances) can read it,
 * writing at most once per `everyMs` and never two writes at once: progress is shown, not
 * accounted, so a lost or failed write only makes the bar lag.
 */
export function createProgressSaver(save: (progress: Progress) => Promise<unknown>, everyMs = 1000, now = Date.now) {
  let writing: Promise<void> | null = null;
  let waiting: Progress | null = null;
  let lastWrite = -Infinity;
  let lastPhase = '';

  function write(progress: Progress) {
    lastWrite = now();
    lastPhase = progress.phase;
    writing = save(progress)
      .then(() => undefined, () => undefined)
      .finally(() => {
        writing = null;
        // A phase that began during the write is shown right after it.
        const next = waiting;
        waiting = null;
        if (next && next.phase !== lastPhase) write(next);
      });
  }

  return {
    report(progress: Progress): void {
      // A new phase shows at once; counts within a phase at most once per interval.
      const due = progress.phase !== lastPhase || now() - lastWrite >= everyMs;
      if (!due) return;
      if (writing) waiting = progress;
      else write(progress);
    },
    /** Waits for a write in flight, so that nothing lands after the job's final state. */
    async settle(): Promise<void> {
      while (writing) await writing;
    },
  };
}
