/**
 * Workshops as stored: rooms, participants (a name and the SHA-256 of their secret), raised
 * hands and the messages participants receive. Portable SQL through the Store (`query` and `run`),
 * the same text on SQLite and PostgreSQL. Lab events stay in `events`, tagged with the code.
 */
import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/types.ts';
import { CODE_ALPHABET, CODE_LENGTH, type BoardEvent, type Hand, type WorkshopStep } from '../../shared/workshop.ts';

export interface Workshop {
  code: string;
  title: string;
  lab: string | null;
  path: string | null;
  steps: WorkshopStep[];
  startsAt: number;
  endsAt: number;
  capacity: number | null;
  createdBy: string;
  createdAt: number;
  endedAt: number | null;
  namesDeletedAt: number | null;
}

export interface Participant {
  id: string;
  name: string;
  secretHash: string | null;
  joinedAt: number;
}

export interface Message {
  seq: number;
  participant: string | null;
  kind: 'ack' | 'broadcast' | 'extend' | 'end';
  body: Record<string, unknown>;
  at: number;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function workshopOf(r: Record<string, unknown>): Workshop {
  return {
    code: r.code as string,
    title: r.title as string,
    lab: (r.lab as string | null) ?? null,
    path: (r.path as string | null) ?? null,
    steps: JSON.parse(r.steps as string) as WorkshopStep[],
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    capacity: num(r.capacity),
    createdBy: r.created_by as string,
    createdAt: Number(r.created_at),
    endedAt: num(r.ended_at),
    namesDeletedAt: num(r.names_deleted_at),
  };
}

export function newCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

export const hashSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

/** `<participant id>.<secret>`: what a participant's browser sends to act as that participant. */
export function splitToken(token: string): { id: string; secret: string } | null {
  const m = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

export function secretMatches(p: Participant, secret: string): boolean {
  if (!p.secretHash) return false;
  return timingSafeEqual(Buffer.from(hashSecret(secret), 'hex'), Buffer.from(p.secretHash, 'hex'));
}

export async function createWorkshop(store: Store, w: Omit<Workshop, 'code' | 'endedAt' | 'namesDeletedAt'>): Promise<Workshop> {
  // 31^6 ≈ 887 million codes: a collision is rare, and the primary key catches it.
  for (let attempt = 0; ; attempt++) {
    const code = newCode();
    try {
      await store.run(
        'INSERT INTO workshops (code, title, lab, path, steps, starts_at, ends_at, capacity, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [code, w.title, w.lab, w.path, JSON.stringify(w.steps), w.startsAt, w.endsAt, w.capacity, w.createdBy, w.createdAt],
      );
      return { ...w, code, endedAt: null, namesDeletedAt: null };
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }
}

export async function findWorkshop(store: Store, code: string): Promise<Workshop | null> {
  const [row] = await store.query<Record<string, unknown>>('SELECT * FROM workshops WHERE code = ?', [code]);
  return row ? workshopOf(row) : null;
}

export async function listWorkshops(store: Store, limit = 200): Promise<Workshop[]> {
  const rows = await store.query<Record<string, unknown>>(`SELECT * FROM workshops ORDER BY created_at DESC LIMIT ${Math.max(1, Math.min(limit, 1000))}`);
  return rows.map(workshopOf);
}

export async function setTimes(store: Store, code: string, update: { endsAt?: number; endedAt?: number }): Promise<void> {
  if (update.endsAt !== undefined) await store.run('UPDATE workshops SET ends_at = ? WHERE code = ?', [update.endsAt, code]);
  if (update.endedAt !== undefined) await store.run('UPDATE workshops SET ended_at = ? WHERE code = ? AND ended_at IS NULL', [update.endedAt, code]);
}

export async function addParticipant(store: Store, code: string, name: string, now: number): Promise<{ participant: Participant; token: string }> {
  const id = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  const participant = { id, name, secretHash: hashSecret(secret), joinedAt: now };
  await store.run('INSERT INTO workshop_participants (id, workshop, name, secret_hash, joined_at) VALUES (?, ?, ?, ?, ?)', [id, code, name, participant.secretHash, now]);
  return { participant, token: `${id}.${secret}` };
}

export async function participantsOf(store: Store, code: string): Promise<Participant[]> {
  const rows = await store.query<Record<string, unknown>>('SELECT id, name, secret_hash, joined_at FROM workshop_participants WHERE workshop = ? ORDER BY joined_at, id', [code]);
  return rows.map((r) => ({ id: r.id as string, name: (r.name as string | null) ?? '(name deleted)', secretHash: (r.secret_hash as string | null) ?? null, joinedAt: Number(r.joined_at) }));
}

export async function eventsOf(store: Store, code: string): Promise<(BoardEvent & { session: string })[]> {
  const rows = await store.query<Record<string, unknown>>('SELECT id, type, at_ms, received_at, session, lab, step, data FROM events WHERE workshop = ?', [code]);
  return rows.map((r) => ({
    id: r.id as string,
    type: r.type as string,
    at: Number(r.at_ms),
    received: Number(r.received_at),
    session: r.session as string,
    lab: (r.lab as string | null) ?? null,
    step: (r.step as string | null) ?? null,
    data: r.data ? (JSON.parse(r.data as string) as Record<string, unknown>) : null,
  }));
}

/** Raised hands not lowered, by participant (the latest one each). */
export async function openHands(store: Store, code: string): Promise<Map<string, Hand>> {
  const rows = await store.query<Record<string, unknown>>('SELECT * FROM workshop_hands WHERE workshop = ? AND lowered_at IS NULL ORDER BY raised_at, id', [code]);
  return new Map(rows.map((r) => [r.participant as string, handOf(r)]));
}

function handOf(r: Record<string, unknown>): Hand {
  return {
    id: r.id as string,
    step: (r.step as string | null) ?? null,
    note: (r.note as string | null) ?? null,
    checkOutput: (r.check_output as string | null) ?? null,
    raisedAt: Number(r.raised_at),
    ackedAt: num(r.acked_at),
  };
}

/** Every hand ever raised in the workshop (for the report). */
export async function allHands(store: Store, code: string): Promise<(Hand & { participant: string })[]> {
  const rows = await store.query<Record<string, unknown>>('SELECT * FROM workshop_hands WHERE workshop = ? ORDER BY raised_at, id', [code]);
  return rows.map((r) => ({ ...handOf(r), participant: r.participant as string }));
}

/** Raises a hand; an open one of the same participant is replaced (lowered) first. */
export async function raiseHand(store: Store, code: string, participant: string, hand: Omit<Hand, 'id' | 'ackedAt'>): Promise<Hand> {
  await store.run('UPDATE workshop_hands SET lowered_at = ? WHERE participant = ? AND lowered_at IS NULL', [hand.raisedAt, participant]);
  const id = randomUUID();
  await store.run('INSERT INTO workshop_hands (id, workshop, participant, step, note, check_output, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [id, code, participant, hand.step, hand.note, hand.checkOutput, hand.raisedAt]);
  return { ...hand, id, ackedAt: null };
}

export async function ackHand(store: Store, code: string, id: string, now: number): Promise<string | null> {
  const [row] = await store.query<{ participant: string }>('SELECT participant FROM workshop_hands WHERE id = ? AND workshop = ? AND lowered_at IS NULL', [id, code]);
  if (!row) return null;
  await store.run('UPDATE workshop_hands SET acked_at = ? WHERE id = ? AND acked_at IS NULL', [now, id]);
  return row.participant;
}

export async function lowerHand(store: Store, participant: string, now: number): Promise<number> {
  return store.run('UPDATE workshop_hands SET lowered_at = ? WHERE participant = ? AND lowered_at IS NULL', [now, participant]);
}

export async function lastSeq(store: Store, code: string): Promise<number> {
  const [row] = await store.query<{ s: number | null }>('SELECT MAX(seq) AS s FROM workshop_messages WHERE workshop = ?', [code]);
  return Number(row?.s ?? 0);
}

export async function addMessage(store: Store, code: string, m: Message): Promise<void> {
  await store.run('INSERT INTO workshop_messages (workshop, seq, participant, kind, body, at) VALUES (?, ?, ?, ?, ?, ?)', [code, m.seq, m.participant, m.kind, JSON.stringify(m.body), m.at]);
}

/** Messages for one participant (theirs and everyone's) after `after`, oldest first. */
export async function messagesFor(store: Store, code: string, participant: string, after: number): Promise<Message[]> {
  const rows = await store.query<Record<string, unknown>>(
    'SELECT seq, participant, kind, body, at FROM workshop_messages WHERE workshop = ? AND seq > ? AND (participant IS NULL OR participant = ?) ORDER BY seq',
    [code, after, participant],
  );
  return rows.map((r) => ({ seq: Number(r.seq), participant: (r.participant as string | null) ?? null, kind: r.kind as Message['kind'], body: JSON.parse(r.body as string), at: Number(r.at) }));
}

/**
 * Retention: for workshops that ended (or ran out) more than `retentionMs` ago, deletes the
 * participants' names and their secrets. Progress and the notes of raised hands stay, anonymous
 * (they are what the report and insights are for).
 * Returns the codes it cleared.
 */
export async function deleteOldNames(store: Store, now: number, retentionMs: number): Promise<string[]> {
  const cutoff = now - retentionMs;
  const rows = await store.query<{ code: string }>(
    'SELECT code FROM workshops WHERE names_deleted_at IS NULL AND COALESCE(ended_at, ends_at) < ?',
    [cutoff],
  );
  for (const { code } of rows) {
    await store.run('UPDATE workshop_participants SET name = NULL, secret_hash = NULL WHERE workshop = ?', [code]);
    await store.run('UPDATE workshops SET names_deleted_at = ? WHERE code = ?', [now, code]);
  }
  return rows.map((r) => r.code);
}
