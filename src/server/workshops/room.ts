/**
 * A workshop while it runs: its participants, their events (deduplicated by id) folded into board
 * rows, raised hands, and the open streams of its boards and learners. Loaded once from the store
 * (so a restarted service rebuilds the same board), then kept current by each write.
 *
 * Boards get the whole board on connect, then every 100 ms at most the rows that changed; each
 * update carries `<epoch>.<version>` as its SSE id, so a board reconnecting to the same process
 * gets only what it missed, and one reconnecting after a restart (another epoch) gets it all.
 * Learners get their messages (acknowledgement, broadcast, extension, end) by sequence number,
 * stored first, so a reconnecting learner (Last-Event-ID) misses none.
 *
 * A room leaves memory (rooms.ts) once it has been over for a grace period: it is then retired,
 * its streams get a final `ended` event and are closed, and whatever asks for it later is served
 * from a copy read from the store.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/types.ts';
import { foldParticipant, roomStats, sortBoard, stepKey, type BoardEvent, type BoardRow, type Hand } from '../../shared/workshop.ts';
import * as records from './records.ts';
import type { SseStream } from './sse.ts';

/** Distinguishes this process's board versions from a previous one's. */
const EPOCH = randomBytes(4).toString('hex');
const FLUSH_MS = 100;

interface BoardSub {
  stream: SseStream;
  sent: number;
}

interface LearnerSub {
  stream: SseStream;
  sent: number;
  ready: boolean;
  queued: records.Message[];
}

/** Public facts about a workshop: what the join page and the lab show. */
export function workshopInfo(w: records.Workshop, participants: number, now: number) {
  return {
    code: w.code,
    title: w.title,
    lab: w.lab,
    path: w.path,
    steps: w.steps,
    startsAt: new Date(w.startsAt).toISOString(),
    endsAt: new Date(w.endsAt).toISOString(),
    endedAt: w.endedAt === null ? null : new Date(w.endedAt).toISOString(),
    ended: w.endedAt !== null || now >= w.endsAt,
    capacity: w.capacity,
    participants,
  };
}

export class Room {
  readonly store: Store;
  workshop: records.Workshop;
  readonly participants = new Map<string, records.Participant>();
  private readonly events = new Map<string, Map<string, BoardEvent>>();
  private readonly hands = new Map<string, Hand>();
  private readonly rows = new Map<string, BoardRow>();
  private readonly rowVersion = new Map<string, number>();
  private version = 0;
  private seq = 0;
  private readonly boards = new Set<BoardSub>();
  private readonly learners = new Map<string, Set<LearnerSub>>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly now: () => number;
  /**
   * Out of memory (rooms.ts): 'ended' for a room long over (its streams get what they are owed,
   * then `ended`); 'evicted' to make way for another (its streams close, clients reconnect).
   */
  retired: 'ended' | 'evicted' | null = null;

  private constructor(store: Store, workshop: records.Workshop, now: () => number) {
    this.store = store;
    this.workshop = workshop;
    this.now = now;
  }

  static async load(store: Store, code: string, now: () => number = Date.now): Promise<Room | null> {
    const workshop = await records.findWorkshop(store, code);
    if (!workshop) return null;
    const room = new Room(store, workshop, now);
    for (const p of await records.participantsOf(store, code)) room.participants.set(p.id, p);
    for (const [pid, hand] of await records.openHands(store, code)) room.hands.set(pid, hand);
    for (const e of await records.eventsOf(store, code)) room.remember(e.session, e);
    room.seq = await records.lastSeq(store, code);
    for (const id of room.participants.keys()) room.refold(id);
    return room;
  }

  private remember(participant: string, e: BoardEvent): boolean {
    if (!this.participants.has(participant)) return false;
    let list = this.events.get(participant);
    if (!list) this.events.set(participant, (list = new Map()));
    if (list.has(e.id)) return false;
    list.set(e.id, e);
    return true;
  }

  private refold(id: string): void {
    const p = this.participants.get(id)!;
    this.rows.set(id, foldParticipant({ id, name: p.name, joinedAt: p.joinedAt }, this.events.get(id)?.values() ?? [], this.workshop.steps, this.hands.get(id) ?? null));
    this.rowVersion.set(id, ++this.version);
    this.schedule();
  }

  get ended(): boolean {
    return this.workshop.endedAt !== null || this.now() >= this.workshop.endsAt;
  }

  /** When it was over (ended by the instructor, or its time ran out); null while it runs. */
  get finishedAt(): number | null {
    if (this.workshop.endedAt !== null) return this.workshop.endedAt;
    return this.now() >= this.workshop.endsAt ? this.workshop.endsAt : null;
  }

  /** Open streams (boards and learners). */
  get streams(): number {
    let n = this.boards.size;
    for (const set of this.learners.values()) n += set.size;
    return n;
  }

  addParticipant(p: records.Participant): void {
    this.participants.set(p.id, p);
    this.refold(p.id);
  }

  /** Applies stored events of one participant; replays change nothing. */
  apply(participant: string, events: BoardEvent[]): void {
    let changed = false;
    for (const e of events) changed = this.remember(participant, e) || changed;
    if (changed) this.refold(participant);
  }

  setHand(participant: string, hand: Hand | null): void {
    if (hand) this.hands.set(participant, hand);
    else this.hands.delete(participant);
    this.refold(participant);
  }

  handOf(participant: string): Hand | null {
    return this.hands.get(participant) ?? null;
  }

  /** Marks a hand acknowledged; returns its participant, or null when it is not open here. */
  ackHand(id: string, at: number): string | null {
    for (const [pid, hand] of this.hands) {
      if (hand.id !== id) continue;
      if (hand.ackedAt === null) this.setHand(pid, { ...hand, ackedAt: at });
      return pid;
    }
    return null;
  }

  updateWorkshop(update: Partial<records.Workshop>): void {
    this.workshop = { ...this.workshop, ...update };
    this.version++;
    this.schedule();
  }

  /** Public facts about the workshop: what the join page and the lab show. */
  info() {
    return workshopInfo(this.workshop, this.participants.size, this.now());
  }

  board(full = true, since = 0) {
    const now = this.now();
    const all = [...this.rows.values()];
    const stats = roomStats(all, this.workshop.steps, now);
    const rows = full ? sortBoard(all, stats, now) : all.filter((r) => (this.rowVersion.get(r.id) ?? 0) > since);
    return { id: `${EPOCH}.${this.version}`, full, serverNow: now, workshop: this.info(), stepKeys: this.workshop.steps.map(stepKey), stats, rows };
  }

  rowsNow(): BoardRow[] {
    return [...this.rows.values()];
  }

  // ---- boards ----

  /** Subscribes a board. `last` is its Last-Event-ID: same epoch → only what changed since. */
  watch(stream: SseStream, last: string | null): void {
    const [epoch, v] = (last ?? '').split('.');
    const since = epoch === EPOCH && Number.isInteger(Number(v)) && Number(v) <= this.version ? Number(v) : -1;
    const payload = since >= 0 ? this.board(false, since) : this.board(true);
    stream.send('board', payload, payload.id);
    if (this.retired) return this.finish(stream);
    const sub = { stream, sent: this.version };
    this.boards.add(sub);
    stream.onClose(() => this.boards.delete(sub));
  }

  private schedule(): void {
    if (this.timer || this.boards.size === 0) return;
    this.timer = setTimeout(() => this.flush(), FLUSH_MS);
    this.timer.unref?.();
  }

  private flush(): void {
    this.timer = null;
    if (this.boards.size === 0) return;
    const since = Math.min(...[...this.boards].map((b) => b.sent));
    if (since >= this.version) return;
    const payload = this.board(false, since);
    for (const sub of this.boards) {
      const rows = sub.sent === since ? payload.rows : payload.rows.filter((r) => (this.rowVersion.get(r.id) ?? 0) > sub.sent);
      sub.stream.send('board', { ...payload, rows }, payload.id);
      sub.sent = this.version;
    }
  }

  // ---- learners ----

  async listen(participant: string, stream: SseStream, after: number): Promise<void> {
    const sub: LearnerSub = { stream, sent: after, ready: false, queued: [] };
    let set = this.learners.get(participant);
    if (!set) this.learners.set(participant, (set = new Set()));
    set.add(sub);
    stream.onClose(() => set.delete(sub));
    stream.send('state', { workshop: this.info(), hand: this.handOf(participant) });
    for (const m of await records.messagesFor(this.store, this.workshop.code, participant, after)) this.send(sub, m);
    sub.ready = true;
    for (const m of sub.queued.splice(0)) this.send(sub, m);
    if (this.retired) this.finish(stream);
  }

  /** A live message: held while the stream's backlog is still being read, so order holds. */
  private deliver(sub: LearnerSub, m: records.Message): void {
    if (sub.ready) this.send(sub, m);
    else sub.queued.push(m);
  }

  private send(sub: LearnerSub, m: records.Message): void {
    if (m.seq <= sub.sent) return;
    sub.stream.send(m.kind, { ...m.body, at: new Date(m.at).toISOString() }, String(m.seq));
    sub.sent = m.seq;
  }

  /** Stores a message (for one participant, or everyone with null), then pushes it. */
  async message(participant: string | null, kind: records.Message['kind'], body: Record<string, unknown>): Promise<records.Message> {
    const m: records.Message = { seq: ++this.seq, participant, kind, body, at: this.now() };
    await records.addMessage(this.store, this.workshop.code, m);
    const targets = participant === null ? [...this.learners.values()] : [this.learners.get(participant) ?? new Set<LearnerSub>()];
    for (const set of targets) for (const sub of set) this.deliver(sub, m);
    return m;
  }

  /** Ends every open stream (the service is stopping): clients reconnect to the next process. */
  closeStreams(): void {
    this.endStreams((stream) => stream.close());
  }

  /** Takes the room out of memory: pending board rows go out, then every stream is finished. */
  retire(why: 'ended' | 'evicted'): void {
    if (this.retired) return;
    this.retired = why;
    if (this.timer) {
      clearTimeout(this.timer);
      this.flush();
    }
    this.endStreams((stream) => this.finish(stream));
  }

  private endStreams(end: (stream: SseStream) => void): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const b of this.boards) end(b.stream);
    for (const set of this.learners.values()) for (const l of set) end(l.stream);
  }

  /** The last word on a stream of a retired room: `ended` when it is over (the client stops; it does not reconnect). */
  private finish(stream: SseStream): void {
    if (this.retired === 'ended') stream.send('ended', { workshop: this.info(), reportUrl: `/workshops/${this.workshop.code}/board/` });
    stream.close();
  }
}
