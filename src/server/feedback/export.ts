/**
 * Exports of stored rows, streamed page by page: JSON (an array of items with their ids and fields
 * exactly as received, plus receivedAt) or CSV (RFC 4180 quoting; cells that a spreadsheet would
 * run as a formula get a leading apostrophe).
 */
import type { ServerResponse } from 'node:http';
import type { Filter } from './insights.ts';
import { eventFromRow, feedbackFromRow, type EventRow, type FeedbackRow, type Store } from '../store/types.ts';

export const FEEDBACK_CSV = ['id', 'receivedAt', 'page', 'helpful', 'kind', 'reason', 'comment', 'quote', 'persona', 'lab', 'step', 'workshop', 'replaces', 'withdrawn', 'context'] as const;
export const EVENTS_CSV = ['id', 'receivedAt', 'type', 'at', 'session', 'lab', 'step', 'workshop', 'data'] as const;

/** One CSV cell: neutralises formulas (= + - @, and tab/CR that some spreadsheets skip first), then quotes. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}

const PAGE = 2000;

function where(alias: string, f: Filter, time: string): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (f.persona) parts.push(`${alias}.persona = ?`), params.push(f.persona);
  if (f.lab) parts.push(`${alias}.lab = ?`), params.push(f.lab);
  if (f.workshop) parts.push(`${alias}.workshop = ?`), params.push(f.workshop);
  if (f.from !== undefined) parts.push(`${alias}.${time} >= ?`), params.push(f.from);
  if (f.to !== undefined) parts.push(`${alias}.${time} < ?`), params.push(f.to);
  return { sql: parts.map((p) => ' AND ' + p).join(''), params };
}

/** Rows in (received_at, id) order, fetched with keyset pagination so memory stays flat. */
async function* rowsOf<T extends { received_at: number; id: string }>(store: Store, table: 'feedback' | 'events', f: Filter): AsyncGenerator<T> {
  const w = where('x', f, table === 'events' ? 'at_ms' : 'received_at');
  let after: [number, string] | null = null;
  for (;;) {
    const keyset: string = after ? ' AND (x.received_at > ? OR (x.received_at = ? AND x.id > ?))' : '';
    const params: unknown[] = after ? [...w.params, after[0], after[0], after[1]] : w.params;
    const rows: T[] = await store.query<T>(`SELECT * FROM ${table} x WHERE 1 = 1${w.sql}${keyset} ORDER BY x.received_at, x.id LIMIT ${PAGE}`, params);
    for (const row of rows) yield row;
    if (rows.length < PAGE) return;
    const last: T = rows[rows.length - 1]!;
    after = [Number(last.received_at), last.id];
  }
}

async function write(res: ServerResponse, chunk: string): Promise<void> {
  if (!res.write(chunk)) await new Promise<void>((r) => res.once('drain', () => r()));
}

export async function streamExport(res: ServerResponse, store: Store, kind: 'feedback' | 'events', format: 'json' | 'csv', f: Filter, extraHeaders: Record<string, string> = {}): Promise<void> {
  const stamp = new Date().toISOString().slice(0, 10);
  res.writeHead(200, {
    'Content-Type': format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="onramp-${kind}-${stamp}.${format}"`,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...extraHeaders,
  });
  const columns = kind === 'feedback' ? FEEDBACK_CSV : EVENTS_CSV;
  const toItem = kind === 'feedback' ? (r: unknown) => feedbackFromRow(r as FeedbackRow) : (r: unknown) => eventFromRow(r as EventRow);
  let first = true;
  if (format === 'json') await write(res, '[');
  else await write(res, csvLine([...columns]));
  for await (const row of rowsOf(store, kind, f)) {
    const item = toItem(row) as unknown as Record<string, unknown>;
    if (format === 'json') await write(res, (first ? '\n' : ',\n') + JSON.stringify(item));
    else await write(res, csvLine(columns.map((c) => item[c])));
    first = false;
  }
  if (format === 'json') await write(res, first ? ']\n' : '\n]\n');
  res.end();
}
