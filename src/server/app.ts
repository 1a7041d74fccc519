/**
 * The Onramp service: one Node process serving the built site and the APIs of later parts
 * (feedback, events, lab runner, insights). Parts plug in as routes; anything unmatched is a
 * static file or the site's 404 page.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServiceConfig } from './config.ts';
import { isolationHeaders } from '../shared/headers.ts';
import { HttpError, sendJson } from './http.ts';
import { staticSite } from './static.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, params: Record<string, string>) => unknown;

export interface Route {
  /** An HTTP method, or `*` for any. */
  method: string;
  /** Exact path, a pattern with `:name` segments, or a prefix ending in `/*` (the rest is `params['*']`). */
  path: string;
  handler: Handler;
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => boolean;

/** A part of the service: its routes, an optional WebSocket upgrade handler, and cleanup. */
export interface ServicePart {
  routes?: Route[];
  upgrade?: UpgradeHandler;
  /** Ends long-lived responses (event streams) when the service stops, so it can finish the rest. */
  drain?: () => Promise<void> | void;
  close?: () => Promise<void> | void;
}

function compile(path: string): (p: string) => Record<string, string> | null {
  if (path.endsWith('/*')) {
    const prefix = path.slice(0, -1);
    return (p) => (p.startsWith(prefix) ? { '*': p.slice(prefix.length) } : null);
  }
  if (!path.includes(':')) return (p) => (p === path ? {} : null);
  const names: string[] = [];
  const re = new RegExp(
    '^' + path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([a-zA-Z]+)/g, (_m, name: string) => (names.push(name), '([^/]+)')) + '$',
  );
  return (p) => {
    const m = re.exec(p);
    if (!m) return null;
    return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
  };
}

export interface Service {
  server: Server;
  close(): Promise<void>;
}

export async function createService(config: ServiceConfig, parts: ServicePart[] = []): Promise<Service> {
  const site = await staticSite(config.siteDir);
  const health: ServicePart = {
    routes: [{ method: 'GET', path: '/api/health', handler: (_req, res) => sendJson(res, 200, { status: 'ok', uptime: Math.round(process.uptime()) }) }],
  };
  const all = [health, ...parts];
  const routes = all.flatMap((p) => p.routes ?? []).map((r) => ({ ...r, match: compile(r.path) }));

  const server = createServer(async (req, res) => {
    // Every response is isolated, not only pages: a worker (Pagefind's search worker) or a script a
    // worker imports is blocked on an isolated page unless it carries COEP itself. Handlers may
    // still override these with their own headers.
    for (const [name, value] of Object.entries(isolationHeaders)) res.setHeader(name, value);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      sendJson(res, 400, { error: 'malformed request URL' });
      return;
    }
    try {
      let pathMatched = false;
      for (const route of routes) {
        const params = route.match(url.pathname);
        if (!params) continue;
        pathMatched = true;
        if (route.method !== '*' && route.method !== req.method && !(route.method === 'GET' && req.method === 'HEAD')) continue;
        await route.handler(req, res, url, params);
        return;
      }
      if (pathMatched) {
        sendJson(res, 405, { error: `method ${req.method} not allowed on ${url.pathname}` });
        return;
      }
      if (url.pathname.startsWith('/api/')) {
        sendJson(res, 404, { error: `no API at ${url.pathname}` });
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendJson(res, 405, { error: `method ${req.method} not allowed on static files` }, { Allow: 'GET, HEAD' });
        return;
      }
      if (!(await site.serve(req, res, url.pathname))) await site.notFound(req, res);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) sendJson(res, error.status, { error: error.message });
      else {
        console.error(`[onramp] ${req.method} ${url.pathname}:`, error);
        sendJson(res, 500, { error: 'internal error; the service logged the details' });
      }
    }
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    for (const part of all) if (part.upgrade?.(req, socket, head, url)) return;
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  return {
    server,
    async close() {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeIdleConnections();
        for (const part of all) void part.drain?.();
      });
      for (const part of all) await part.close?.();
    },
  };
}
