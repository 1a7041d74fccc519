/**
 * Serves the built site from a folder: right content types, long caching for fingerprinted
 * assets and revalidation for pages, ETags, HEAD, directory indexes with trailing-slash
 * redirects, the site's 404 page, and no way out of the folder. The service adds the isolation
 * headers (COOP, COEP) to every response, these files included.
 */
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { baseHeaders } from '../shared/headers.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.pagefind': 'application/octet-stream',
  '.pf_meta': 'application/octet-stream',
  '.pf_index': 'application/octet-stream',
  '.pf_fragment': 'application/octet-stream',
  '.pf_filter': 'application/octet-stream',
  '.webmanifest': 'application/manifest+json',
  '.pkl': 'application/octet-stream',
  '.tar': 'application/x-tar',
};

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Fingerprinted build output never changes under the same name. */
function cacheControl(urlPath: string, type: string): string {
  if (urlPath.startsWith('/_astro/')) return 'public, max-age=31536000, immutable';
  if (type.startsWith('text/html')) return 'no-cache';
  return 'public, max-age=300, must-revalidate';
}

/**
 * Maps a URL path to a file inside `root`, or null when the path is malformed or escapes the root.
 * Rejects encoded separators and NUL bytes outright rather than trying to interpret them.
 */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || !decoded.startsWith('/')) return null;
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) return null;
  const full = join(root, ...segments);
  return full === root || full.startsWith(root + sep) ? full : null;
}

async function fileAt(path: string) {
  try {
    const info = await stat(path);
    return info;
  } catch {
    return null;
  }
}

export interface StaticSite {
  /** Returns false when nothing was found (the caller decides what 404 to send). */
  serve(req: IncomingMessage, res: ServerResponse, urlPath: string): Promise<boolean>;
  notFound(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export async function staticSite(root: string): Promise<StaticSite> {
  const realRoot = await realpath(root);

  async function send(req: IncomingMessage, res: ServerResponse, file: string, urlPath: string, status = 200) {
    const info = await stat(file);
    const type = contentType(file);
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const headers: Record<string, string | number> = {
      ...baseHeaders,
      'Content-Type': type,
      'Cache-Control': status === 200 ? cacheControl(urlPath, type) : 'no-cache',
      ETag: etag,
      'Last-Modified': info.mtime.toUTCString(),
    };
    if (status === 200 && req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    headers['Content-Length'] = info.size;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  }

  return {
    async serve(req, res, urlPath) {
      const target = resolveInside(realRoot, urlPath);
      if (!target) return false;
      let file = target;
      let info = await fileAt(file);
      if (info?.isDirectory()) {
        if (!urlPath.endsWith('/')) {
          res.writeHead(301, { ...baseHeaders, Location: `${urlPath}/` });
          res.end();
          return true;
        }
        file = join(target, 'index.html');
        info = await fileAt(file);
      }
      if (!info?.isFile()) return false;
      // Symlinks inside the build must not lead out of it.
      const real = await realpath(file);
      if (real !== realRoot && !real.startsWith(realRoot + sep)) return false;
      await send(req, res, real, urlPath);
      return true;
    },
    async notFound(req, res) {
      const page = join(realRoot, '404.html');
      if (await fileAt(page)) {
        await send(req, res, page, '/404.html', 404);
        return;
      }
      const body = await readFile(page).catch(() => Buffer.from('Not found'));
      res.writeHead(404, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(body);
    },
  };
}
