/**
 * A plain static file host for `dist/`, as a platform team's first deployment would be: files by
 * path, `index.html` for folders, 404 otherwise, and no special headers (no COOP/COEP, so the page
 * is not cross-origin isolated; no /api at all).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.wasm': 'application/wasm', '.txt': 'text/plain', '.xml': 'application/xml', '.webmanifest': 'application/manifest+json' };

/**
 * `delays` holds back the answer for some paths by that many milliseconds, as a CDN's slow 404 can:
 * the lab's health probe then lands after the learner has pressed Start.
 */
export async function startStaticHost(root: string, opts: { delays?: Record<string, number> } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const delay = opts.delays?.[path];
    if (delay) return void setTimeout(() => answer(root, path, req, res), delay);
    answer(root, path, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answer(root: string, path: string, req: IncomingMessage, res: ServerResponse): void {
  let file = normalize(join(root, path));
  if (!file.startsWith(root)) return void res.writeHead(403).end();
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
  if (!existsSync(file)) {
    const notFound = join(root, '404.html');
    res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
    return void (existsSync(notFound) ? createReadStream(notFound).pipe(res) : res.end('Not found'));
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}
