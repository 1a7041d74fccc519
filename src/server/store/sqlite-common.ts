/** What the SQLite store's two connections share: pragmas, and the group commit itself. */
import type { DatabaseSync } from 'node:sqlite';
import { EVENT_COLUMNS, FEEDBACK_COLUMNS, type WriteJob, type WriteResult } from './types.ts';

export function configure(db: DatabaseSync, synchronous: 'full' | 'normal'): void {
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.exec('PRAGMA foreign_keys = ON');
}

/**
 * Returns a function committing a group of jobs in one transaction, all or nothing, with one
 * result per job. ON CONFLICT (id) DO NOTHING, not INSERT OR IGNORE: OR IGNORE would also skip a
 * row that breaks a NOT NULL constraint, silently, and count it as a duplicate.
 */
export function commitJobs(db: DatabaseSync): (jobs: WriteJob[]) => WriteResult[] {
  const insertFeedback = db.prepare(`INSERT INTO feedback (${FEEDBACK_COLUMNS.join(', ')}) VALUES (${FEEDBACK_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`);
  const insertEvent = db.prepare(`INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`);
  return (jobs) => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const results = jobs.map((job) => {
        let accepted = 0;
        if (job.kind === 'feedback') for (const row of job.rows) accepted += Number(insertFeedback.run(...FEEDBACK_COLUMNS.map((c) => row[c])).changes);
        else for (const row of job.rows) accepted += Number(insertEvent.run(...EVENT_COLUMNS.map((c) => row[c])).changes);
        return { accepted, duplicates: job.rows.length - accepted };
      });
      db.exec('COMMIT');
      return results;
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  };
}
