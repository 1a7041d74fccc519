/**
 * The default store: one SQLite file through node:sqlite (synchronous, in-process), in WAL mode.
 * Writes are grouped per tick into one transaction; the promise of each request settles after
 * COMMIT returns, so an acknowledged item survives a crash of the process (and, with
 * synchronous=FULL, of the machine).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { MIGRATIONS, MIGRATIONS_TABLE } from './migrations.ts';
import {
  EVENT_COLUMNS,
  FEEDBACK_COLUMNS,
  GroupCommitter,
  eventRow,
  feedbackRow,
  type Store,
  type TriageRow,
  type WriteJob,
  type WriteResult,
} from './types.ts';

export interface SqliteOptions {
  /** `full` (default) syncs the WAL on every commit; `normal` survives process crashes but may lose the last commits on power loss. */
  synchronous?: 'full' | 'normal';
}

export function openSqliteStore(file: string, options: SqliteOptions = {}): Store {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file, { timeout: 5000 });
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.exec('PRAGMA foreign_keys = ON');
  migrate(db);

  // ON CONFLICT (id) DO NOTHING, not INSERT OR IGNORE: OR IGNORE would also silently skip a row
  // that breaks a NOT NULL constraint, and count it as a duplicate.
  const insertFeedback = db.prepare(`INSERT INTO feedback (${FEEDBACK_COLUMNS.join(', ')}) VALUES (${FEEDBACK_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`);
  const insertEvent = db.prepare(`INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`);
  const statements = new Map<string, StatementSync>();
  const prepared = (sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
      if (statements.size > 200) statements.delete(statements.keys().next().value!);
    }
    return s;
  };

  function commit(jobs: WriteJob[]): WriteResult[] {
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
  }
  const committer = new GroupCommitter(commit);
  let closed = false;

  return {
    dialect: 'sqlite',
    addFeedback: (item, receivedAt) => committer.submit({ kind: 'feedback', rows: [feedbackRow(item, receivedAt)] }),
    addEvents: (events, receivedAt) => committer.submit({ kind: 'events', rows: events.map((e) => eventRow(e, receivedAt)) }),
    async setTriage(id, update, now) {
      await committer.drain();
      const exists = prepared('SELECT 1 AS x FROM feedback WHERE id = ?').get(id);
      if (!exists) return null;
      const current = prepared('SELECT status, note FROM triage WHERE id = ?').get(id) as { status: string; note: string | null } | undefined;
      const status = update.status ?? current?.status ?? 'new';
      const note = update.note ?? current?.note ?? null;
      prepared('INSERT INTO triage (id, status, note, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET status = excluded.status, note = excluded.note, updated_at = excluded.updated_at').run(id, status, note, now);
      return { id, status, note, updatedAt: new Date(now).toISOString() } as TriageRow;
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return prepared(sql).all(...(params as (string | number | null)[])) as T[];
    },
    async close() {
      if (closed) return;
      closed = true;
      await committer.drain();
      db.close();
    },
  };
}

function migrate(db: DatabaseSync): void {
  db.exec(MIGRATIONS_TABLE);
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(m.sql.sqlite);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw new Error(`SQLite migration ${m.version} (${m.name}) failed: ${(error as Error).message}`);
    }
  }
}
