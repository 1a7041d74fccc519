/**
 * Server-Sent Events on node:http: a stream per request, events with ids (the browser sends the
 * last one back as Last-Event-ID when it reconnects), a comment every 15 s so proxies keep the
 * connection, and a `retry` hint for reconnecting.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SseStream {
  send(event: string, data: unknown, id?: string): void;
  close(): void;
  readonly closed: boolean;
  onClose(fn: () => void): void;
}

const HEARTBEAT_MS = 15_000;

export function openSse(req: IncomingMessage, res: ServerResponse, retryMs = 1500): SseStream {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
    'X-Content-Type-Options': 'nosniff',
  });
  res.write(`retry: ${retryMs}\n\n`);
  res.socket?.setNoDelay(true);
  let closed = false;
  const listeners: (() => void)[] = [];
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const fn of listeners.splice(0)) fn();
  };
  req.on('close', finish);
  res.on('close', finish);
  return {
    send(event, data, id) {
      if (closed) return;
      // JSON has no raw newlines, so one data line is enough.
      res.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close() {
      if (!closed) res.end();
      finish();
    },
    get closed() {
      return closed;
    },
    onClose(fn) {
      if (closed) fn();
      else listeners.push(fn);
    },
  };
}

/** The id the client saw last: the Last-Event-ID header, or `?after=` (for a fresh page). */
export function lastEventId(req: IncomingMessage, url: URL): string | null {
  const header = req.headers['last-event-id'];
  const value = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('after');
  return value && value.length <= 64 ? value : null;
}
