/**
 * The browser outbox and client, in Node with small stand-ins for localStorage, sessionStorage,
 * navigator, window events and fetch: durable across "reloads", retries with backoff, drops only
 * what the service refuses, honours DNT/GPC for events but never for feedback.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Outbox, backoff, keyOf, MAX_EVENTS, QUEUE_PREFIX } from '../../../src/feedback/queue.ts';
import type { EventInput } from '../../../src/shared/feedback-ids.ts';

class MemoryStorage {
  map = new Map<string, string>();
  quota = Infinity;
  get length() {
    return this.map.size;
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    const size = [...this.map.values()].reduce((a, x) => a + x.length, 0) + v.length;
    if (size > this.quota) throw new Error('QuotaExceededError');
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
  clear() {
    this.map.clear();
  }
}

const ev = (over: Partial<EventInput> = {}): EventInput => ({ id: randomUUID(), type: 'hint_viewed', at: new Date().toISOString(), session: 'sess-12345678', ...over });

describe('backoff', () => {
  it('doubles from about a second to a 5-minute cap, with jitter in the upper half', () => {
    expect(backoff(0, () => 0)).toBe(500);
    expect(backoff(0, () => 1)).toBe(1000);
    expect(backoff(3, () => 0.5)).toBe(6000);
    expect(backoff(30, () => 1)).toBe(300_000);
    const samples = new Set(Array.from({ length: 20 }, () => backoff(4)));
    expect(samples.size).toBeGreaterThan(1);
    for (const s of samples) expect(s).toBeGreaterThanOrEqual(8000), expect(s).toBeLessThanOrEqual(16000);
  });
});

describe('Outbox', () => {
  it('keeps items across instances (a reload) until removed', () => {
    const storage = new MemoryStorage();
    const a = new Outbox(storage);
    const e1 = ev();
    const f1 = { id: randomUUID(), page: '/x/', helpful: true };
    a.add({ kind: 'event', body: e1 });
    a.add({ kind: 'feedback', body: f1 });
    const b = new Outbox(storage);
    expect(b.list().map((i) => i.id)).toEqual([e1.id, f1.id]);
    b.remove([e1.id]);
    expect(new Outbox(storage).list().map((i) => i.id)).toEqual([f1.id]);
    expect([...storage.map.keys()]).toEqual([keyOf('feedback', f1.id)]);
  });

  it('two tabs adding at once lose nothing (one key per item)', () => {
    const storage = new MemoryStorage();
    const tab1 = new Outbox(storage);
    const tab2 = new Outbox(storage);
    const ids = Array.from({ length: 20 }, (_, i) => ((i % 2 ? tab1 : tab2).add({ kind: 'event', body: ev() }), null));
    expect(ids).toHaveLength(20);
    expect(new Outbox(storage).list()).toHaveLength(20);
  });

  it('delays failed items with backoff and honours Retry-After', () => {
    let now = 1_000_000;
    const out = new Outbox(new MemoryStorage(), () => now);
    const item = out.add({ kind: 'event', body: ev() });
    out.retryLater([item], undefined, () => 1);
    expect(out.due()).toHaveLength(0);
    now += 1000;
    expect(out.due()).toHaveLength(1);
    out.retryLater(out.due(), 60_000, () => 1);
    now += 30_000;
    expect(out.due()).toHaveLength(0);
    now += 30_000;
    expect(out.due()[0]!.attempts).toBe(2);
  });

  it('caps progress events, oldest first, but never drops feedback for space', () => {
    let now = 0;
    const out = new Outbox(new MemoryStorage(), () => ++now);
    const feedback = out.add({ kind: 'feedback', body: { id: randomUUID(), page: '/x/', helpful: false } });
    const first = out.add({ kind: 'event', body: ev() });
    for (let i = 0; i < MAX_EVENTS + 5; i++) out.add({ kind: 'event', body: ev() });
    const list = out.list();
    expect(list.filter((i) => i.kind === 'event')).toHaveLength(MAX_EVENTS);
    expect(list.some((i) => i.id === first.id)).toBe(false);
    expect(list.some((i) => i.id === feedback.id)).toBe(true);
  });

  it('makes room for feedback when storage is full, else keeps it in memory', () => {
    const storage = new MemoryStorage();
    const out = new Outbox(storage);
    for (let i = 0; i < 60; i++) out.add({ kind: 'event', body: ev() });
    storage.quota = [...storage.map.values()].reduce((a, x) => a + x.length, 0) + 10;
    const f = out.add({ kind: 'feedback', body: { id: randomUUID(), page: '/x/', helpful: false, comment: 'must not be lost' } });
    expect(storage.getItem(keyOf('feedback', f.id))).not.toBeNull();
    const noStorage = new Outbox(null);
    noStorage.add({ kind: 'feedback', body: { id: randomUUID(), page: '/y/', helpful: true } });
    expect(noStorage.list()).toHaveLength(1);
  });

  it('discards corrupt entries instead of failing', () => {
    const storage = new MemoryStorage();
    storage.setItem(QUEUE_PREFIX + 'junk', '{not json');
    storage.setItem('unrelated', 'x');
    const out = new Outbox(storage);
    expect(out.list()).toEqual([]);
    expect(storage.getItem(QUEUE_PREFIX + 'junk')).toBeNull();
    expect(storage.getItem('unrelated')).toBe('x');
  });
});

describe('client', () => {
  type Call = { url: string; body: unknown };
  let calls: Call[];
  let respond: (url: string, body: unknown) => { status: number; json?: unknown; headers?: Record<string, string> };
  let local: MemoryStorage;
  let listeners: Record<string, (() => void)[]>;
  const nav: Record<string, unknown> = {};

  beforeEach(() => {
    vi.resetModules();
    vi.useFakeTimers();
    calls = [];
    local = new MemoryStorage();
    listeners = {};
    for (const k of Object.keys(nav)) delete nav[k];
    nav.onLine = true;
    nav.sendBeacon = (url: string, data: string) => (calls.push({ url: `beacon:${url}`, body: JSON.parse(data) }), true);
    respond = () => ({ status: 202, json: { ok: true } });
    vi.stubGlobal('localStorage', local);
    vi.stubGlobal('sessionStorage', new MemoryStorage());
    vi.stubGlobal('navigator', nav);
    vi.stubGlobal('location', { search: '', pathname: '/guides/x/' });
    vi.stubGlobal('addEventListener', (type: string, fn: () => void) => (listeners[type] ??= []).push(fn));
    vi.stubGlobal('document', { addEventListener: () => {}, visibilityState: 'visible', dispatchEvent: () => true });
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body));
      calls.push({ url, body });
      const r = respond(url, body);
      if (r.status === 0) throw new TypeError('Failed to fetch');
      return new Response(JSON.stringify(r.json ?? {}), { status: r.status, headers: r.headers });
    });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  const settle = async (ms = 0) => {
    await vi.advanceTimersByTimeAsync(ms);
  };

  const PARTICIPANT = '0b7e2a54-3f0c-4c1e-9a51-8d1f0c6b2e11';
  const TOKEN = `${PARTICIPANT}.${'s'.repeat(43)}`;
  const joinWorkshop = () =>
    local.setItem('onramp:workshop', JSON.stringify({ code: 'WS1ABC', id: PARTICIPANT, token: TOKEN, name: 'Ana', title: 'T', lab: 'pkl-to-endpoint', steps: [], endsAt: '2030-01-01T00:00:00Z' }));

  it('sends feedback at once and removes it on 202', async () => {
    joinWorkshop();
    const client = await import('../../../src/feedback/client.ts');
    const sent = client.sendFeedback({ page: '/guides/x/', helpful: false, reason: 'out_of_date' });
    await settle();
    expect(await sent.delivered).toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('/api/feedback');
    expect(calls[0]!.body).toMatchObject({ id: sent.id, page: '/guides/x/', helpful: false, reason: 'out_of_date', workshop: 'WS1ABC' });
    expect(client.pending()).toBe(0);
  });

  it('keeps feedback through failures and a reload, then delivers it', async () => {
    respond = () => ({ status: 0 });
    let client = await import('../../../src/feedback/client.ts');
    const sent = client.sendFeedback({ page: '/guides/x/', helpful: true, comment: 'offline words' });
    await settle();
    expect(client.pending()).toBe(1);
    await settle(2000); // first retry fails too
    expect(calls.length).toBeGreaterThanOrEqual(2);
    // "Reload": a fresh module over the same storage, and the network is back.
    vi.resetModules();
    respond = () => ({ status: 202 });
    calls = [];
    client = await import('../../../src/feedback/client.ts');
    client.start();
    await settle(10);
    expect(calls.map((c) => (c.body as { id: string }).id)).toEqual([sent.id]);
    expect(client.pending()).toBe(0);
  });

  it('waits as long as Retry-After says on 429', async () => {
    respond = () => ({ status: 429, headers: { 'Retry-After': '30' } });
    const client = await import('../../../src/feedback/client.ts');
    client.sendFeedback({ page: '/x/', helpful: true });
    await settle();
    expect(calls).toHaveLength(1);
    await settle(20_000);
    expect(calls).toHaveLength(1);
    respond = () => ({ status: 202 });
    await settle(15_000);
    expect(calls).toHaveLength(2);
    expect(client.pending()).toBe(0);
  });

  it('drops an item the service refuses as malformed, but retries without an unknown persona', async () => {
    respond = (_url, body) => ((body as { persona?: string }).persona ? { status: 400, json: { error: 'persona: unknown persona' } } : (body as { page: string }).page === '/bad/' ? { status: 400, json: { error: 'page: bad' } } : { status: 202 });
    local.setItem('onramp:persona', JSON.stringify({ id: 'retired-persona', name: 'Old', build: 'x', steps: [] }));
    const client = await import('../../../src/feedback/client.ts');
    const good = client.sendFeedback({ page: '/x/', helpful: true });
    await settle(10);
    expect(await good.delivered).toBe(true);
    expect(calls.map((c) => (c.body as { persona?: string }).persona)).toEqual(['retired-persona', undefined]);
    local.removeItem('onramp:persona');
    const bad = client.sendFeedback({ page: '/bad/', helpful: true });
    await settle(10);
    expect(await bad.delivered).toBe(false);
    expect(client.pending()).toBe(0);
  });

  it('batches events, and splits a refused batch to find the bad one', async () => {
    const client = await import('../../../src/feedback/client.ts');
    const lab = client.labEvents('pkl-to-endpoint');
    lab.started();
    for (let i = 0; i < 5; i++) lab.stepStarted(`s${i}`);
    const badId = lab.hintViewed('s-bad');
    respond = (url, body) => {
      if (url !== '/api/events') return { status: 202 };
      const events = (body as { events: { id: string }[] }).events;
      return events.some((e) => e.id === badId) ? { status: 400, json: { error: 'events.0.step: bad' } } : { status: 202, json: { accepted: events.length, duplicates: 0 } };
    };
    await settle(2500);
    const batches = calls.filter((c) => c.url === '/api/events').map((c) => (c.body as { events: unknown[] }).events.length);
    expect(batches[0]).toBe(7);
    expect(batches.slice(1).every((n) => n === 1)).toBe(true);
    expect(batches.slice(1)).toHaveLength(7);
    expect(client.pending()).toBe(0);
    const first = (calls[0]!.body as { events: { type: string; session: string; lab: string; workshop?: string }[] }).events[0]!;
    expect(first).toMatchObject({ type: 'lab_started', lab: 'pkl-to-endpoint' });
    expect(first.workshop).toBeUndefined();
    expect(first.session).toMatch(/^[0-9a-f-]{36}$/);
    expect((calls[0]!.body as { participant?: string }).participant).toBeUndefined();
  });

  it("in a joined workshop, events carry its code, the participant's id as session and the token, also under GPC", async () => {
    joinWorkshop();
    nav.globalPrivacyControl = true;
    const client = await import('../../../src/feedback/client.ts');
    expect(client.trackingAllowed()).toBe(false);
    expect(client.labEvents('pkl-to-endpoint').stepStarted('inspect')).not.toBeNull();
    await settle(2500);
    const sent = calls.find((c) => c.url === '/api/events')!.body as { events: { session: string; workshop: string }[]; participant: string };
    expect(sent.participant).toBe(TOKEN);
    expect(sent.events[0]).toMatchObject({ session: PARTICIPANT, workshop: 'WS1ABC' });
  });

  it("sends feedback in a workshop with the participant's token, and without the workshop once the service refuses it", async () => {
    joinWorkshop();
    const client = await import('../../../src/feedback/client.ts');
    respond = (_url, body) => ((body as { workshop?: string }).workshop ? { status: 403, json: { error: 'participant: the token is not a participant of this workshop' } } : { status: 202, json: { ok: true } });
    const sent = client.sendFeedback({ page: '/labs/x/', helpful: false, comment: 'kept' });
    await settle();
    expect(await sent.delivered).toBe(true);
    expect(calls[0]!.body).toMatchObject({ workshop: 'WS1ABC', participant: TOKEN, comment: 'kept' });
    expect(calls[1]!.body).toMatchObject({ comment: 'kept' });
    expect(calls[1]!.body).not.toHaveProperty('workshop');
    expect(calls[1]!.body).not.toHaveProperty('participant');
  });

  it('drops workshop events the service refuses as not this participant\'s (403 participant:), and retries other 403s', async () => {
    joinWorkshop();
    const client = await import('../../../src/feedback/client.ts');
    respond = () => ({ status: 403, json: { error: 'participant: the token is not a participant of this workshop' } });
    client.labEvents('pkl-to-endpoint').stepStarted('inspect');
    await settle(2500);
    expect(client.pending()).toBe(0);
    respond = () => ({ status: 403, json: { error: 'origin https://x is not allowed' } });
    client.labEvents('pkl-to-endpoint').stepStarted('scan');
    await settle(2500);
    expect(client.pending()).toBe(1);
  });

  it('sends no events under Do Not Track or Global Privacy Control, but still sends feedback', async () => {
    nav.globalPrivacyControl = true;
    let client = await import('../../../src/feedback/client.ts');
    expect(client.trackingAllowed()).toBe(false);
    expect(client.track('lab_started', { lab: 'x' })).toBeNull();
    client.sendFeedback({ page: '/x/', helpful: true });
    await settle(5000);
    expect(calls.map((c) => c.url)).toEqual(['/api/feedback']);
    delete nav.globalPrivacyControl;
    nav.doNotTrack = '1';
    vi.resetModules();
    client = await import('../../../src/feedback/client.ts');
    expect(client.trackingAllowed()).toBe(false);
    delete nav.doNotTrack;
    expect(client.trackingAllowed()).toBe(true);
  });

  it('hands queued items to sendBeacon on page hide and keeps them until acknowledged', async () => {
    respond = () => ({ status: 0 });
    const client = await import('../../../src/feedback/client.ts');
    const sent = client.sendFeedback({ page: '/x/', helpful: false });
    client.track('lab_started', { lab: 'x' });
    await settle();
    for (const fn of listeners.pagehide ?? []) fn();
    const beacons = calls.filter((c) => c.url.startsWith('beacon:'));
    expect(beacons.map((b) => b.url)).toEqual(['beacon:/api/feedback', 'beacon:/api/events']);
    expect((beacons[0]!.body as { id: string }).id).toBe(sent.id);
    expect(client.pending()).toBe(2);
  });
});
