/**
 * The PostgreSQL store (when DATABASE_URL is set), through `pg`. Writes submitted during one tick
 * become one transaction with one INSERT … SELECT FROM unnest(…) per table, ON CONFLICT DO
 * NOTHING RETURNING id, so duplicates are counted and never stored. Several groups may be in
 * flight at once (one pooled connection each).
 */
import pg from 'pg';
import { MIGRATIONS, MIGRATIONS_TABLE } from './migrations.ts';
import {
  EVENT_COLUMNS,
  FEEDBACK_COLUMNS,
  GroupCommitter,
  eventRow,
  feedbackRow,
  type EventRow,
  type FeedbackRow,
  type Store,
  type TriageRow,
  type WriteJob,
  type WriteResult,
} from './types.ts';

const FEEDBACK_TYPES: Record<(typeof FEEDBACK_COLUMNS)[number], string> = {
  id: 'text', received_at: 'bigint', page: 'text', helpful: 'int', kind: 'text', reason: 'text', comment: 'text', quote: 'text',
  persona: 'text', lab: 'text', step: 'text', workshop: 'text', replaces: 'text', withdrawn: 'int', context: 'text',
};
const EVENT_TYPES_SQL: Record<(typeof EVENT_COLUMNS)[number], string> = {
  id: 'text', received_at: 'bigint', type: 'text', at: 'text', at_ms: 'bigint', session: 'text', lab: 'text', step: 'text', workshop: 'text', persona: 'text', data: 'text',
};

function bulkInsert(table: string, columns: readonly string[], types: Record<string, string>): string {
  const unnest = columns.map((c, i) => `$${i + 1}::${types[c]}[]`).join(', ');
  return `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${unnest}) ON CONFLICT (id) DO NOTHING RETURNING id`;
}
const INSERT_FEEDBACK = bulkInsert('feedback', FEEDBACK_COLUMNS, FEEDBACK_TYPES);
const INSERT_EVENTS = bulkInsert('events', EVENT_COLUMNS, EVENT_TYPES_SQL);

/** `?` placeholders to `$1, $2, …` (our SQL never has `?` inside literals). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Integers as numbers: counts and millisecond times fit in a double. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export async function openPostgresStore(connectionString: string, options: { poolSize?: number } = {}): Promise<Store> {
  const pool = new pg.Pool({ connectionString, max: options.poolSize ?? 8, types: types as pg.CustomTypesConfig });
  pool.on('error', (error) => console.error('[onramp] PostgreSQL pool error:', error.message));
  await migrate(pool);

  async function commit(jobs: WriteJob[]): Promise<WriteResult[]> {
    // The first occurrence of an id in the group may insert it; later ones are duplicates.
    const owner = new Map<string, number>();
    const feedback: FeedbackRow[] = [];
    const events: EventRow[] = [];
    jobs.forEach((job, j) => {
      for (const row of job.rows) {
        if (owner.has(row.id)) continue;
        owner.set(row.id, j);
        if (job.kind === 'feedback') feedback.push(row as FeedbackRow);
        else events.push(row as EventRow);
      }
    });
    const inserted = new Set<string>();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      if (feedback.length) {
        const r = await client.query<{ id: string }>(INSERT_FEEDBACK, FEEDBACK_COLUMNS.map((c) => feedback.map((row) => row[c])));
        for (const { id } of r.rows) inserted.add(id);
      }
      if (events.length) {
        const r = await client.query<{ id: string }>(INSERT_EVENTS, EVENT_COLUMNS.map((c) => events.map((row) => row[c])));
        for (const { id } of r.rows) inserted.add(id);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    return jobs.map((job, j) => {
      let accepted = 0;
      for (const row of job.rows) if (owner.get(row.id) === j && inserted.has(row.id)) accepted++, owner.delete(row.id);
      return { accepted, duplicates: job.rows.length - accepted };
    });
  }
  const committer = new GroupCommitter(commit, { maxInFlight: Math.max(1, (options.poolSize ?? 8) - 2), maxGroup: 200 });
  let closed = false;

  return {
    dialect: 'postgres',
    addFeedback: (item, receivedAt) => committer.submit({ kind: 'feedback', rows: [feedbackRow(item, receivedAt)] }),
    addEvents: (events, receivedAt) => committer.submit({ kind: 'events', rows: events.map((e) => eventRow(e, receivedAt)) }),
    async setTriage(id, update, now) {
      const exists = await pool.query('SELECT 1 FROM feedback WHERE id = $1', [id]);
      if (exists.rowCount === 0) return null;
      const r = await pool.query<{ status: string; note: string | null }>(
        `INSERT INTO triage (id, status, note, updated_at) VALUES ($1, COALESCE($2, 'new'), $3, $4)
         ON CONFLICT (id) DO UPDATE SET status = COALESCE($2, triage.status), note = COALESCE($3, triage.note), updated_at = $4
         RETURNING status, note`,
        [id, update.status ?? null, update.note ?? null, now],
      );
      return { id, status: r.rows[0]!.status, note: r.rows[0]!.note, updatedAt: new Date(now).toISOString() } as TriageRow;
    },
    async addToken(row) {
      await pool.query('INSERT INTO access_tokens (id, name, role, hash, created_at, last_used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [row.id, row.name, row.role, row.hash, row.created_at, row.last_used_at, row.revoked_at]);
    },
    async revokeToken(id, now) {
      const r = await pool.query('UPDATE access_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now, id]);
      return (r.rowCount ?? 0) > 0;
    },
    async touchToken(id, now) {
      await pool.query('UPDATE access_tokens SET last_used_at = $1 WHERE id = $2', [now, id]);
    },
    async run(sql, params = []) {
      const r = await pool.query(numberPlaceholders(sql), params);
      return r.rowCount ?? 0;
    },
    async query<T>(sql: string, params: unknown[] = []) {
      const r = await pool.query(numberPlaceholders(sql), params);
      return r.rows as T[];
    },
    async close() {
      if (closed) return;
      closed = true;
      await committer.drain();
      await pool.end();
    },
  };
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    // One service instance migrates at a time.
    await client.query('SELECT pg_advisory_lock(7262001)');
    await client.query(MIGRATIONS_TABLE);
    const r = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    const current = r.rows[0]?.v ?? 0;
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql.postgres);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`PostgreSQL migration ${m.version} (${m.name}) failed: ${(error as Error).message}`);
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(7262001)').catch(() => {});
    client.release();
  }
}
