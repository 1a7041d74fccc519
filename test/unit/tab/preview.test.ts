/**
 * The page's half of the in-tab preview. The Service Worker takes the first reply a window posts on
 * its channel, so a window holding two runtimes (one Start made, one warmed on intent by a late
 * health probe) must answer for the session asked and say "not mine" only when it holds none.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { answerPreviews } from '../../../src/lab/tab/preview.ts';
import type { HttpRequest, HttpResponse } from '../../../src/lab/tab/protocol.ts';

const request: HttpRequest = { port: 8080, method: 'GET', path: '/', headers: {}, body: new Uint8Array() };
const ok = (text: string): HttpResponse => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: new TextEncoder().encode(text) });

/** What the worker does: posts one request with a fresh channel and takes the first reply. */
function ask(container: EventTarget, session: string): Promise<{ miss?: boolean; response?: HttpResponse }> {
  const channel = new MessageChannel();
  const first = new Promise<{ miss?: boolean; response?: HttpResponse }>((resolve) => {
    channel.port1.onmessage = (e) => {
      resolve(e.data);
      channel.port1.close();
    };
  });
  container.dispatchEvent(new MessageEvent('message', { data: { type: 'onramp-lab-preview', session, request }, ports: [channel.port2] }));
  return first;
}

describe('answerPreviews', () => {
  let container: EventTarget & { startMessages: () => void };
  beforeEach(() => {
    container = Object.assign(new EventTarget(), { startMessages: () => {} });
    vi.stubGlobal('navigator', { serviceWorker: container });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('answers for the session asked even when another runtime in the window registered later', async () => {
    const stopA = answerPreviews('session-a', async () => ok('from a'));
    const stopB = answerPreviews('session-b', async () => ok('from b'));
    try {
      const a = await ask(container, 'session-a');
      expect(a.miss).toBeUndefined();
      expect(new TextDecoder().decode(a.response!.body)).toBe('from a');
      const b = await ask(container, 'session-b');
      expect(new TextDecoder().decode(b.response!.body)).toBe('from b');
    } finally {
      stopA();
      stopB();
    }
  });

  it('says "not mine" for a session it does not hold, and stops answering once stopped', async () => {
    const stop = answerPreviews('session-a', async () => ok('from a'));
    expect(await ask(container, 'session-z')).toEqual({ miss: true });
    stop();
    const listener = vi.fn();
    container.addEventListener('message', listener);
    // Nobody answers any more: the worker's own timeout then tells the learner the lab is gone.
    const reply = await Promise.race([ask(container, 'session-a'), new Promise((r) => setTimeout(() => r('silent'), 50))]);
    expect(reply).toBe('silent');
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('turns a failed answer into a 502 that says why', async () => {
    const stop = answerPreviews('session-a', async () => {
      throw new Error('no server on port 8080');
    });
    try {
      const r = await ask(container, 'session-a');
      expect(r.response!.status).toBe(502);
      expect(new TextDecoder().decode(r.response!.body)).toContain('no server on port 8080');
    } finally {
      stop();
    }
  });
});
