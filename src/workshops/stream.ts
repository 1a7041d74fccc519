/**
 * A Server-Sent Events reader over fetch, so it can send an Authorization header (EventSource
 * cannot). Reconnects after a drop with the server's `retry` delay (and backoff while it keeps
 * failing), sending the last event id as Last-Event-ID, as EventSource does.
 */
import { API_BASE } from '../feedback/client.ts';

export interface StreamEvent {
  event: string;
  id?: string;
  data: unknown;
}

export interface StreamOptions {
  path: string;
  token: () => string | null;
  onEvent: (e: StreamEvent) => void;
  /** Connection state for the page to show: 'open', 'reconnecting', or 'refused' (4xx: stop). */
  onState?: (state: 'open' | 'reconnecting' | 'refused', status?: number) => void;
  /** The id to resume from on the first connection (e.g. kept in sessionStorage). */
  lastId?: string | null;
}

export function openStream(options: StreamOptions): { close(): void } {
  let lastId = options.lastId ?? null;
  let retry = 1500;
  let failures = 0;
  let stopped = false;
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const parse = (block: string) => {
    const e: StreamEvent = { event: 'message', data: null };
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') e.event = value;
      else if (field === 'id') e.id = value;
      else if (field === 'data') data += (data ? '\n' : '') + value;
      else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
    }
    if (!data) return;
    try {
      e.data = JSON.parse(data);
    } catch {
      return;
    }
    if (e.id !== undefined) lastId = e.id;
    options.onEvent(e);
  };

  const again = () => {
    if (stopped) return;
    options.onState?.('reconnecting');
    const wait = Math.min(30_000, retry * 2 ** Math.min(failures, 4));
    failures++;
    timer = setTimeout(connect, wait);
  };

  async function connect(): Promise<void> {
    if (stopped) return;
    controller = new AbortController();
    const headers: Record<string, string> = { Accept: 'text/event-stream', Authorization: `Bearer ${options.token() ?? ''}` };
    if (lastId) headers['Last-Event-ID'] = lastId;
    let res: Response;
    try {
      res = await fetch(API_BASE + options.path, { headers, credentials: 'omit', cache: 'no-store', signal: controller.signal });
    } catch {
      again();
      return;
    }
    if (res.status >= 400 && res.status < 500 && res.status !== 429) {
      options.onState?.('refused', res.status);
      return;
    }
    if (!res.ok || !res.body) {
      again();
      return;
    }
    failures = 0;
    options.onState?.('open');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value.replace(/\r\n?/g, '\n');
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          parse(buf.slice(0, i));
          buf = buf.slice(i + 2);
        }
      }
    } catch {
      /* dropped */
    }
    again();
  }

  void connect();
  return {
    close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      controller?.abort();
    },
  };
}
