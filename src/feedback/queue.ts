/**
 * The browser's durable outbox: what the reader gave stays here until the service acknowledges it.
 * One localStorage key per item (`onramp:q:f:<id>`, `onramp:q:e:<id>`), so two tabs adding and removing items never
 * overwrite each other's list; if storage is full or disabled, items live in memory for the page.
 * Sending twice is harmless: the service dedups by id.
 */
import type { EventInput, FeedbackInput } from '../shared/feedback-ids.ts';

export const QUEUE_PREFIX = 'onramp:q:';
/** Progress events kept at most; the oldest go first. Feedback is never dropped for space. */
export const MAX_EVENTS = 1000;

export type OutboxItem =
  | { kind: 'feedback'; id: string; body: FeedbackInput; attempts: number; nextAt: number; createdAt: number; solo?: boolean }
  | { kind: 'event'; id: string; body: EventInput; attempts: number; nextAt: number; createdAt: number; solo?: boolean };

/** Exponential backoff with jitter: half fixed, half random, from 1 s doubling to 5 min. */
export function backoff(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(300_000, 1000 * 2 ** Math.min(attempt, 20));
  return Math.round(cap / 2 + random() * (cap / 2));
}

/** `onramp:q:f:<id>` for feedback, `onramp:q:e:<id>` for events. */
export const keyOf = (kind: OutboxItem['kind'], id: string) => `${QUEUE_PREFIX}${kind === 'feedback' ? 'f' : 'e'}:${id}`;

type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

export class Outbox {
  private readonly storage: StorageLike | null;
  private readonly memory = new Map<string, OutboxItem>();
  private readonly now: () => number;
  private last = 0;

  constructor(storage: StorageLike | null, now: () => number = Date.now) {
    this.storage = storage;
    this.now = now;
  }

  private write(item: OutboxItem): void {
    const key = keyOf(item.kind, item.id);
    try {
      if (!this.storage) throw new Error('no storage');
      this.storage.setItem(key, JSON.stringify(item));
      this.memory.delete(key);
    } catch {
      // Full or disabled: make room by dropping old progress events, then keep it in memory.
      if (item.kind === 'feedback' && this.storage) {
        const events = this.list().filter((i) => i.kind === 'event');
        for (const old of events.slice(0, 50)) this.remove([old.id]);
        try {
          this.storage.setItem(key, JSON.stringify(item));
          return;
        } catch {
          /* fall through to memory */
        }
      }
      this.memory.set(key, item);
    }
  }

  add(item: { kind: 'feedback'; body: FeedbackInput } | { kind: 'event'; body: EventInput }): OutboxItem {
    // Strictly increasing within a page, so items added in one millisecond keep their order.
    this.last = Math.max(this.now(), this.last + 0.001);
    const full = { ...item, id: item.body.id, attempts: 0, nextAt: 0, createdAt: this.last } as OutboxItem;
    this.write(full);
    // Counting keys is cheap; parsing them only happens when over the cap.
    if (item.kind === 'event' && this.countKeys(QUEUE_PREFIX + 'e:') > MAX_EVENTS) {
      const events = this.list().filter((i) => i.kind === 'event');
      if (events.length > MAX_EVENTS) this.remove(events.slice(0, events.length - MAX_EVENTS).map((e) => e.id));
    }
    return full;
  }

  /** Everything queued, oldest first. */
  list(): OutboxItem[] {
    const items = new Map<string, OutboxItem>(this.memory);
    if (this.storage) {
      const keys: string[] = [];
      try {
        for (let i = 0; i < this.storage.length; i++) {
          const key = this.storage.key(i);
          if (key?.startsWith(QUEUE_PREFIX)) keys.push(key);
        }
        for (const key of keys) {
          const raw = this.storage.getItem(key);
          if (!raw) continue;
          try {
            const item = JSON.parse(raw) as OutboxItem;
            if (item && typeof item.id === 'string' && item.body) items.set(key, item);
            else this.storage.removeItem(key);
          } catch {
            this.storage.removeItem(key);
          }
        }
      } catch {
        /* storage went away: memory only */
      }
    }
    return [...items.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  due(now = this.now()): OutboxItem[] {
    return this.list().filter((i) => i.nextAt <= now);
  }

  /** When the next item becomes due, or null when nothing waits. */
  nextDue(): number | null {
    const items = this.list();
    return items.length ? Math.min(...items.map((i) => i.nextAt)) : null;
  }

  remove(ids: string[]): void {
    for (const id of ids) {
      for (const key of [keyOf('event', id), keyOf('feedback', id)]) {
        this.memory.delete(key);
        try {
          this.storage?.removeItem(key);
        } catch {
          /* nothing to do */
        }
      }
    }
  }

  private countKeys(prefix: string): number {
    let n = 0;
    try {
      for (let i = 0; i < (this.storage?.length ?? 0); i++) if (this.storage!.key(i)?.startsWith(prefix)) n++;
    } catch {
      /* storage went away */
    }
    for (const key of this.memory.keys()) if (key.startsWith(prefix)) n++;
    return n;
  }

  /** Puts items back with a later due time (Retry-After when the service gave one). */
  retryLater(items: OutboxItem[], retryAfterMs?: number, random?: () => number): void {
    const now = this.now();
    for (const item of items) {
      const attempts = item.attempts + 1;
      const wait = Math.max(backoff(attempts - 1, random), retryAfterMs ?? 0);
      this.write({ ...item, attempts, nextAt: now + wait });
    }
  }

  /** Replaces an item's body or flags (e.g. drop an unknown persona, send alone). */
  update(item: OutboxItem): void {
    this.write(item);
  }
}
