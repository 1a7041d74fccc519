/**
 * The default store: one SQLite file through node:sqlite, in WAL mode. Writes are grouped per tick
 * into one transaction, committed by a writer thread (sqlite-writer.ts) so fsync never blocks the
 * HTTP thread; the promise of each request settles after COMMIT returns, so an acknowledged item
 * survives a crash of the process (and, with synchronous=FULL, of the machine). Reads use a
 * second connection on this thread.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { MIGRATIONS, MIGRATIONS_TABLE } from './migrations.ts';
import { commitJobs, configure } from './sqlite-common.ts';
import { GroupCommitter, eventRow, feedbackRow, type Store, type TriageRow, type WriteJob, type WriteResult } from './types.ts';

export interface SqliteOptions {
  /** `full` (default) syncs the WAL on every commit; `normal` survives process crashes but may lose the last commits on power loss. */
  synchronous?: 'full' | 'normal';
  /** Commit in a worker thread (default for files), so fsync never stalls request handling. */
  worker?: boolean;
}

/** Commits through the writer thread; one message per group. */
function workerCommitter(file: string, synchronous: 'full' | 'normal') {
  const worker = new Worker(new URL('./sqlite-writer.ts', import.meta.url), { workerData: { file, synchronous } });
  worker.unref();
  const waiting = new Map<number, { resolve: (r: WriteResult[]) => void; reject: (e: Error) => void }>();
  let seq = 0;
  let failure: Error | null = null;
  const failAll = (error: Error) => {
    failure = error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on('message', (m: { seq: number; results?: WriteResult[]; error?: string }) => {
    const w = waiting.get(m.seq);
    if (!w) return;
    waiting.delete(m.seq);
    if (m.results) w.resolve(m.results);
    else w.reject(new Error(m.error ?? 'SQLite writer failed'));
  });
  worker.on('error', (error: Error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`SQLite writer thread exited (${code})`)));
  return {
    commit(jobs: WriteJob[]): Promise<WriteResult[]> {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        const id = ++seq;
        waiting.set(id, { resolve, reject });
        worker.postMessage({ seq: id, jobs });
      });
    },
    async close() {
      if (failure) return;
      worker.ref();
      await new Promise<void>((done) => {
        worker.once('message', () => done());
        worker.once('exit', () => done());
        worker.postMessage({ close: true });
      });
      await worker.terminate();
    },
  };
}

export function openSqliteStore(file: string, options: SqliteOptions = {}): Store {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const synchronous = options.synchronous ?? 'full';
  const db = new DatabaseSync(file, { timeout: 5000 });
  configure(db, synchronous);
  migrate(db);

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

  // Reads and triage use this connection; ingest goes through the writer thread (WAL lets both
  // work at once), or through this connection for an in-memory database.
  const writer = file !== ':memory:' && options.worker !== false ? workerCommitter(file, synchronous) : null;
  const committer = new GroupCommitter(writer ? (jobs) => writer.commit(jobs) : commitJobs(db));
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
    async addToken(row) {
      prepared('INSERT INTO access_tokens (id, name, role, hash, created_at, last_used_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(row.id, row.name, row.role, row.hash, row.created_at, row.last_used_at, row.revoked_at);
    },
    async revokeToken(id, now) {
      return Number(prepared('UPDATE access_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes) > 0;
    },
    async touchToken(id, now) {
      prepared('UPDATE access_tokens SET last_used_at = ? WHERE id = ?').run(now, id);
    },
    async run(sql, params = []) {
      return Number(prepared(sql).run(...(params as (string | number | null)[])).changes);
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return prepared(sql).all(...(params as (string | number | null)[])) as T[];
    },
    async close() {
      if (closed) return;
      closed = true;
      await committer.drain();
      await writer?.close();
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
