/**
 * Proxies a preview request to a server the lab started on its loopback, through a connection
 * the session's sandbox opens (the bridge, sandbox-bridge.ts). The response is made to
 * load in an iframe of the (cross-origin isolated) lab page: COEP credentialless, CORP
 * same-origin, frame-ancestors 'self'. HTML is rewritten so that root-relative URLs (`/v2/…`,
 * `fetch('/…')`) stay under the preview's prefix.
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

const HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length']);
const MAX_HTML = 4 * 1024 * 1024;

function shim(prefix: string): string {
  const p = JSON.stringify(prefix.slice(0, -1));
  return `<script>(()=>{const P=${p};const fix=(u)=>typeof u==='string'&&u.startsWith('/')&&!u.startsWith('//')&&!u.startsWith(P+'/')?P+u:u;const f=window.fetch;window.fetch=(i,o)=>f(i instanceof Request?i:fix(i),o);const x=XMLHttpRequest.prototype.open;XMLHttpRequest.prototype.open=function(m,u,...r){return x.call(this,m,fix(u),...r)};})();</script>`;
}

export function rewriteHtml(html: string, prefix: string): string {
  const base = prefix.slice(0, -1);
  const out = html.replace(/(\s(?:href|src|action)=)(["'])\/(?!\/)/gi, (_m, attr: string, q: string) => `${attr}${q}${base}/`);
  const tag = shim(prefix);
  return /<head[^>]*>/i.test(out) ? out.replace(/<head[^>]*>/i, (h) => h + tag) : tag + out;
}

function badGateway(res: ServerResponse, port: number, error: Error): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8', 'Cross-Origin-Resource-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'credentialless' });
  res.end(`The lab's server on port ${port} did not answer: ${error.message}`);
}

export function proxyPreview(req: IncomingMessage, res: ServerResponse, port: number, path: string, prefix: string, connect: () => Promise<Duplex>): void {
  connect().then(
    (socket) => forward(req, res, port, path, prefix, socket),
    (error: Error) => badGateway(res, port, error),
  );
}

function forward(req: IncomingMessage, res: ServerResponse, port: number, path: string, prefix: string, socket: Duplex): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k) && k !== 'cookie' && k !== 'accept-encoding') headers[k] = v;
  headers.host = `127.0.0.1:${port}`;
  const upstream = request({ host: '127.0.0.1', port, method: req.method, path, headers, timeout: 30_000, createConnection: () => socket as never }, (up) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP.has(k) && k !== 'set-cookie') out[k] = v;
    if (typeof out.location === 'string' && out.location.startsWith('/') && !out.location.startsWith('//')) out.location = prefix.slice(0, -1) + out.location;
    Object.assign(out, {
      'Cross-Origin-Embedder-Policy': 'credentialless',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Content-Security-Policy': "frame-ancestors 'self'",
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    const type = String(up.headers['content-type'] ?? '');
    if (type.includes('text/html')) {
      const chunks: Buffer[] = [];
      let size = 0;
      up.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_HTML) chunks.push(c);
      });
      up.on('end', () => {
        const body = Buffer.from(rewriteHtml(Buffer.concat(chunks).toString('utf8'), prefix));
        res.writeHead(up.statusCode ?? 502, { ...out, 'content-length': String(body.length) });
        res.end(req.method === 'HEAD' ? undefined : body);
      });
      return;
    }
    res.writeHead(up.statusCode ?? 502, out);
    up.pipe(res);
  });
  upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
  upstream.on('error', (error) => badGateway(res, port, error));
  req.pipe(upstream);
}
