/**
 * HTTP helpers for API tests: a request that resolves with status, headers, body and JSON, and an
 * SSE client that collects events as they come (and knows when the service closed the stream).
 */
import { request, type ClientRequest } from 'node:http';

export type Res = { status: number; headers: Record<string, string | string[] | undefined>; body: string; json: any };
export function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const { hostname, port } = new URL(base);
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers: { ...(text !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks).toString();
        let json: unknown = null;
        try {
          json = JSON.parse(b);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode!, headers: res.headers, body: b, json });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

/** An SSE client: collects events as they come; closed() says the service ended the stream. */
export function sse(base: string, path: string, headers: Record<string, string> = {}) {
  const { hostname, port } = new URL(base);
  const events: { event: string; id?: string; data: any }[] = [];
  let status = 0;
  let closedByService = false;
  let req: ClientRequest;
  const ready = new Promise<void>((resolve, reject) => {
    req = request({ host: hostname, port, path, headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      status = res.statusCode!;
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const e: { event: string; id?: string; data: any } = { event: 'message', data: null };
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('id: ')) e.id = line.slice(4);
            else if (line.startsWith('data: ')) e.data = JSON.parse(line.slice(6));
          }
          if (e.data !== null) events.push(e);
        }
      });
      res.on('error', () => {});
      res.on('end', () => (closedByService = true));
      resolve();
    });
    req.on('error', reject);
    req.end();
  });
  return { events, ready, status: () => status, closed: () => closedByService, close: () => req.destroy() };
}

