import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createService, type Service } from '../../src/server/app.ts';
import { resolveInside } from '../../src/server/static.ts';

let service: Service;
let base: string;
let site: string;

/** Raw HTTP request, so paths reach the server exactly as written (fetch would normalise `..`). */
function raw(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { port } = service.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onramp-site-'));
  site = join(dir, 'dist');
  mkdirSync(join(site, '_astro'), { recursive: true });
  mkdirSync(join(site, 'pagefind'), { recursive: true });
  mkdirSync(join(site, 'labs', 'pkl-to-endpoint'), { recursive: true });
  mkdirSync(join(site, 'guides', 'x'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>home</title>');
  writeFileSync(join(site, '404.html'), '<!doctype html><title>Not found</title><h1>Page not found</h1>');
  writeFileSync(join(site, '_astro', 'app.abc123.js'), 'console.log(1)');
  writeFileSync(join(site, 'pagefind', 'pagefind-worker.js'), 'self.onmessage = () => {};');
  writeFileSync(join(site, 'pagefind', 'wasm.en.pagefind'), 'wasm');
  writeFileSync(join(site, 'labs', 'pkl-to-endpoint', 'index.html'), '<!doctype html><title>lab</title>');
  writeFileSync(join(site, 'guides', 'x', 'index.html'), '<!doctype html><title>guide</title>');
  writeFileSync(join(site, 'style.css'), 'body{}');
  writeFileSync(join(dir, 'secret.txt'), 'TOP SECRET');
  symlinkSync(join(dir, 'secret.txt'), join(site, 'escape.txt'));
  service = await createService({ port: 0, host: '127.0.0.1', siteDir: site });
  await new Promise<void>((r) => service.server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await service.close();
});

describe('static site', () => {
  it('serves pages with their type, revalidation and isolation headers', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toMatch(/^(require-corp|credentialless)$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>home</title>');
  });

  it('isolates lab pages', async () => {
    const res = await fetch(`${base}/labs/pkl-to-endpoint/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toMatch(/^(require-corp|credentialless)$/);
  });

  it('isolates workers and every other file, so an isolated page may start them', async () => {
    const worker = await fetch(`${base}/pagefind/pagefind-worker.js`);
    expect(worker.status).toBe(200);
    expect(worker.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(worker.headers.get('cross-origin-embedder-policy')).toMatch(/^(require-corp|credentialless)$/);
    expect(worker.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(worker.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    const revalidated = await raw('GET', '/pagefind/pagefind-worker.js', { 'If-None-Match': worker.headers.get('etag')! });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers['cross-origin-embedder-policy']).toBe(worker.headers.get('cross-origin-embedder-policy'));
    for (const path of ['/pagefind/wasm.en.pagefind', '/_astro/app.abc123.js', '/style.css', '/no/such/file.js', '/guides/x', '/api/health']) {
      const res = await raw('GET', path);
      expect(res.headers['cross-origin-embedder-policy'], path).toMatch(/^(require-corp|credentialless)$/);
      expect(res.headers['cross-origin-opener-policy'], path).toBe('same-origin');
    }
  });

  it('caches fingerprinted assets for a year and others briefly', async () => {
    const js = await fetch(`${base}/_astro/app.abc123.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    const css = await fetch(`${base}/style.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('cache-control')).toContain('max-age=300');
  });

  it('answers conditional requests with 304', async () => {
    const first = await fetch(`${base}/guides/x/`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    const again = await raw('GET', '/guides/x/', { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('redirects a directory without its trailing slash', async () => {
    const res = await raw('GET', '/guides/x');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/guides/x/');
  });

  it('answers HEAD without a body', async () => {
    const res = await raw('HEAD', '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String('<!doctype html><title>home</title>'.length));
    expect(res.body).toBe('');
  });

  it('serves the site 404 page for unknown paths', async () => {
    const res = await fetch(`${base}/no/such/page/`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Page not found');
  });

  it.each([
    '/../secret.txt',
    '/../../../../etc/passwd',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/guides/%2e%2e/%2e%2e/secret.txt',
    '/..%5csecret.txt',
    '/%00index.html',
    '/%E0%A4%A',
    '/escape.txt',
  ])('never serves anything outside the site for %s', async (path) => {
    const res = await raw('GET', path);
    expect([400, 404]).toContain(res.status);
    expect(res.body).not.toContain('TOP SECRET');
    expect(res.body).not.toContain('root:');
  });

  it('refuses writes to static files', async () => {
    const res = await raw('POST', '/');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });
});

describe('API routing', () => {
  it('reports health as JSON', async () => {
    const res = await fetch(`${base}/api/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('answers unknown API paths with a JSON 404 and wrong methods with 405', async () => {
    const missing = await fetch(`${base}/api/nothing-here`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toContain('/api/nothing-here');
    const wrong = await fetch(`${base}/api/health`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
  });
});

describe('resolveInside', () => {
  it('keeps paths inside the root', () => {
    expect(resolveInside('/srv/site', '/a/b.html')).toBe('/srv/site/a/b.html');
    expect(resolveInside('/srv/site', '/')).toBe('/srv/site');
    expect(resolveInside('/srv/site', '/a/../../b')).toBeNull();
    expect(resolveInside('/srv/site', '/a%2F..%2F..%2Fb')).toBeNull();
    expect(resolveInside('/srv/site', 'relative')).toBeNull();
  });
});

describe('the service process', () => {
  const main = join(import.meta.dirname, '../../src/server/main.ts');
  function start(env: Record<string, string>) {
    return spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', main], {
      env: { ...process.env, ...env, ONRAMP_SITE_DIR: site },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
  function outputOf(child: ReturnType<typeof start>) {
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    return () => text;
  }
  const exited = (child: ReturnType<typeof start>) => new Promise<number | null>((r) => child.on('exit', (code) => r(code)));

  it('exits non-zero with advice when the port is taken', async () => {
    const { port } = service.server.address() as AddressInfo;
    const child = start({ PORT: String(port) });
    const out = outputOf(child);
    expect(await exited(child)).toBe(1);
    expect(out()).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(out()).toContain('PORT=');
  });

  it('rejects a malformed PORT', async () => {
    const child = start({ PORT: 'eighty' });
    const out = outputOf(child);
    expect(await exited(child)).toBe(1);
    expect(out()).toContain('PORT=eighty is not valid');
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const child = start({ PORT: '0' });
    const out = outputOf(child);
    await new Promise<void>((r) => child.stdout.on('data', () => out().includes('serving') && r()));
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(out()).toContain('SIGTERM received');
  });
});
