/**
 * One interface over the two stores (SQLite by default, PostgreSQL when DATABASE_URL is set).
 * Writes go through a group committer: everything submitted in one event-loop tick is committed
 * in one transaction, and each caller's promise settles only after that commit.
 * Reads are portable SQL with `?` placeholders (the PostgreSQL store numbers them).
 */
import type { EventInput, FeedbackInput, TriageStatus } from '../../shared/feedback-ids.ts';

export interface WriteResult {
  accepted: number;
  duplicates: number;
}

export interface TriageRow {
  id: string;
  status: TriageStatus;
  note: string | null;
  updatedAt: string;
}

export type Dialect = 'sqlite' | 'postgres';

/** An access token as stored: never the token, only its SHA-256. */
export interface TokenRow {
  id: string;
  name: string;
  role: string;
  hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface Store {
  readonly dialect: Dialect;
  /** Stores one feedback item; a known id is a duplicate, not an error. */
  addFeedback(item: FeedbackInput, receivedAt: number): Promise<WriteResult>;
  /** Stores a batch of events atomically. */
  addEvents(events: EventInput[], receivedAt: number): Promise<WriteResult>;
  /** Sets triage status and/or note of a feedback item; null when there is no such item. */
  setTriage(id: string, update: { status?: TriageStatus; note?: string }, now: number): Promise<TriageRow | null>;
  /** Stores a new access token (its hash). */
  addToken(row: TokenRow): Promise<void>;
  /** Marks an active token revoked; false when there was none with that id. */
  revokeToken(id: string, now: number): Promise<boolean>;
  /** Records a token's use (at most once a minute is enough for the listing). */
  touchToken(id: string, now: number): Promise<void>;
  /**
   * Runs one write statement written with `?` placeholders, outside the ingest group commit (for
   * rare writes such as workshops and their participants); returns the number of rows changed.
   */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs a read-only query written with `?` placeholders; integers come back as numbers. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** Row shapes as stored. Column names are snake_case in both dialects. */
export interface FeedbackRow {
  id: string;
  received_at: number;
  page: string;
  helpful: number;
  kind: string | null;
  reason: string | null;
  comment: string | null;
  quote: string | null;
  persona: string | null;
  lab: string | null;
  step: string | null;
  workshop: string | null;
  replaces: string | null;
  withdrawn: number | null;
  context: string | null;
}

export interface EventRow {
  id: string;
  received_at: number;
  type: string;
  at: string;
  at_ms: number;
  session: string;
  lab: string | null;
  step: string | null;
  workshop: string | null;
  persona: string | null;
  data: string | null;
}

export const FEEDBACK_COLUMNS = ['id', 'received_at', 'page', 'helpful', 'kind', 'reason', 'comment', 'quote', 'persona', 'lab', 'step', 'workshop', 'replaces', 'withdrawn', 'context'] as const;
export const EVENT_COLUMNS = ['id', 'received_at', 'type', 'at', 'at_ms', 'session', 'lab', 'step', 'workshop', 'persona', 'data'] as const;

export function feedbackRow(item: FeedbackInput, receivedAt: number): FeedbackRow {
  return {
    id: item.id,
    received_at: receivedAt,
    page: item.page,
    helpful: item.helpful ? 1 : 0,
    kind: item.kind ?? null,
    reason: item.reason ?? null,
    comment: item.comment ?? null,
    quote: item.quote ?? null,
    persona: item.persona ?? null,
    lab: item.lab ?? null,
    step: item.step ?? null,
    workshop: item.workshop ?? null,
    replaces: item.replaces ?? null,
    withdrawn: item.withdrawn === undefined ? null : item.withdrawn ? 1 : 0,
    context: item.context ? JSON.stringify(item.context) : null,
  };
}

export function eventRow(event: EventInput, receivedAt: number): EventRow {
  const persona = event.data && typeof event.data.persona === 'string' ? event.data.persona : null;
  return {
    id: event.id,
    received_at: receivedAt,
    type: event.type,
    at: event.at,
    at_ms: Date.parse(event.at),
    session: event.session,
    lab: event.lab ?? null,
    step: event.step ?? null,
    workshop: event.workshop ?? null,
    persona,
    data: event.data ? JSON.stringify(event.data) : null,
  };
}

/** Back to the wire shape, fields exactly as received (absent fields stay absent). */
export function feedbackFromRow(row: FeedbackRow): FeedbackInput & { receivedAt: string } {
  const out: Record<string, unknown> = { id: row.id, page: row.page, helpful: row.helpful === 1 };
  for (const key of ['kind', 'reason', 'comment', 'quote', 'persona', 'lab', 'step', 'workshop', 'replaces'] as const) {
    if (row[key] !== null) out[key] = row[key];
  }
  if (row.withdrawn !== null) out.withdrawn = row.withdrawn === 1;
  if (row.context !== null) out.context = JSON.parse(row.context);
  out.receivedAt = new Date(Number(row.received_at)).toISOString();
  return out as unknown as FeedbackInput & { receivedAt: string };
}

export function eventFromRow(row: EventRow): EventInput & { receivedAt: string } {
  const out: Record<string, unknown> = { id: row.id, type: row.type, at: row.at, session: row.session };
  for (const key of ['lab', 'step', 'workshop'] as const) if (row[key] !== null) out[key] = row[key];
  if (row.data !== null) out.data = JSON.parse(row.data);
  out.receivedAt = new Date(Number(row.received_at)).toISOString();
  return out as unknown as EventInput & { receivedAt: string };
}

/** A unit of work for the group committer. */
export type WriteJob = { kind: 'feedback'; rows: FeedbackRow[] } | { kind: 'events'; rows: EventRow[] };

interface Pending {
  job: WriteJob;
  resolve: (r: WriteResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Collects jobs submitted during one tick and commits them together. `commit` gets the jobs and
 * returns one result per job, in order; it must be all-or-nothing. When a group fails, each job is
 * retried alone so one bad job cannot fail the others.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly commit: (jobs: WriteJob[]) => Promise<WriteResult[]> | WriteResult[];
  private readonly maxInFlight: number;
  private readonly maxGroup: number;
  private idle: (() => void)[] = [];

  constructor(commit: (jobs: WriteJob[]) => Promise<WriteResult[]> | WriteResult[], options: { maxInFlight?: number; maxGroup?: number } = {}) {
    this.commit = commit;
    this.maxInFlight = options.maxInFlight ?? 1;
    this.maxGroup = options.maxGroup ?? 500;
  }

  submit(job: WriteJob): Promise<WriteResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.queue.length === 0 || this.inFlight >= this.maxInFlight) return;
    const group = this.queue.splice(0, this.maxGroup);
    this.inFlight++;
    try {
      await this.run(group);
    } finally {
      this.inFlight--;
      this.schedule();
      if (this.inFlight === 0 && this.queue.length === 0) for (const done of this.idle.splice(0)) done();
    }
  }

  private async run(group: Pending[]): Promise<void> {
    try {
      const results = await this.commit(group.map((p) => p.job));
      group.forEach((p, i) => p.resolve(results[i]!));
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      for (const p of group) await this.run([p]);
    }
  }

  /** Resolves once nothing is queued or being committed. */
  drain(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }
}
