/**
 * The rooms kept in memory, by code, least recently used first, and never more than `maxRooms`.
 * A room is loaded from the store once (concurrent callers share the load) and kept while it
 * runs and for `endedGraceMs` after it is over, so its board and report are read from memory;
 * then sweep() retires it (its streams get `ended` and close). A room asked for after that is a
 * copy read from the store for that request, never kept. When the limit is reached, the least
 * recently used room without open streams makes way; if every room has open streams, a new
 * one is refused with 503 (the caller retries) rather than cutting off a live workshop.
 */
import type { Store } from '../store/types.ts';
import { HttpError } from '../http.ts';
import { Room } from './room.ts';

export interface RoomLimits {
  /** Rooms kept in memory at once. */
  maxRooms: number;
  /** How long a room stays in memory once it is over (ms). */
  endedGraceMs: number;
}

export const ROOM_LIMITS: RoomLimits = { maxRooms: 100, endedGraceMs: 30 * 60_000 };

export class Rooms {
  private readonly store: Store;
  private readonly now: () => number;
  private readonly limits: RoomLimits;
  /** In memory, least recently used first. */
  private readonly resident = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room | null>>();

  constructor(store: Store, now: () => number = Date.now, limits: Partial<RoomLimits> = {}) {
    this.store = store;
    this.now = now;
    this.limits = { ...ROOM_LIMITS, ...limits };
  }

  /** The room with this code: the one in memory, else read from the store (and kept unless it is long over); null for none. */
  async get(code: string): Promise<Room | null> {
    const known = this.touch(code);
    if (known) return known;
    const room = await this.load(code);
    if (!room) return null;
    // Callers that shared the load: the first one keeps it, the others get the same room.
    const kept = this.touch(code);
    if (kept) return kept;
    if (this.expired(room)) {
      room.retire('ended');
      return room;
    }
    this.admit(code, room);
    return room;
  }

  /** The room in memory (or being loaded), without loading it: what new events must update. */
  async peek(code: string): Promise<Room | null> {
    const known = this.resident.get(code);
    if (known) return known;
    const loading = this.loading.get(code);
    return loading ? loading.then(() => this.resident.get(code) ?? null, () => null) : null;
  }

  /** How many rooms are in memory. */
  get size(): number {
    return this.resident.size;
  }

  has(code: string): boolean {
    return this.resident.has(code);
  }

  /** Retires the rooms that have been over for the grace period; returns their codes. */
  sweep(): string[] {
    const gone: string[] = [];
    for (const [code, room] of this.resident) {
      if (!this.expired(room)) continue;
      this.resident.delete(code);
      room.retire('ended');
      gone.push(code);
    }
    return gone;
  }

  /** Drops a room (its names were deleted): its streams close, and the next access reads it again. */
  forget(code: string): void {
    const room = this.resident.get(code);
    this.resident.delete(code);
    room?.closeStreams();
  }

  /** Ends every open stream: the service is stopping, clients reconnect to the next process. */
  closeAll(): void {
    for (const room of this.resident.values()) room.closeStreams();
  }

  private touch(code: string): Room | undefined {
    const room = this.resident.get(code);
    if (room) {
      this.resident.delete(code);
      this.resident.set(code, room);
    }
    return room;
  }

  private load(code: string): Promise<Room | null> {
    let pending = this.loading.get(code);
    if (!pending) {
      const load = Room.load(this.store, code, this.now);
      pending = load;
      this.loading.set(code, load);
      const done = () => {
        if (this.loading.get(code) === load) this.loading.delete(code);
      };
      load.then(done, done);
    }
    return pending;
  }

  private expired(room: Room): boolean {
    const over = room.finishedAt;
    return over !== null && this.now() >= over + this.limits.endedGraceMs;
  }

  /** Keeps a room, making way for it first when the limit is reached. */
  private admit(code: string, room: Room): void {
    if (this.resident.size >= this.limits.maxRooms) this.sweep();
    if (this.resident.size >= this.limits.maxRooms) this.evictIdle();
    this.resident.set(code, room);
  }

  private evictIdle(): void {
    for (const [code, room] of this.resident) {
      if (room.streams > 0) continue;
      this.resident.delete(code);
      room.retire('evicted');
      return;
    }
    throw new HttpError(503, `workshops: this service already follows ${this.limits.maxRooms} live workshops (ONRAMP_WORKSHOP_MAX_ROOMS); retry in a moment`);
  }
}
