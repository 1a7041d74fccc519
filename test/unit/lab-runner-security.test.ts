/**
 * The lab runner's defences: tokens, Origin, paths confined to the session directory, the session
 * cap, idle timeout, previews limited to the session's own ports, and no process left behind.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CreateSessionResponse } from '../../src/shared/lab-protocol.ts';
import { startLabService, type LabService } from '../helpers/lab-service.ts';
import { until } from '../helpers/until.ts';

let svc: LabService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

async function create(s: LabService, lab = 'pkl-to-endpoint') {
  const res = await fetch(`${s.base}/api/labs/${lab}/sessions`, { method: 'POST' });
  return { status: res.status, body: (await res.json()) as CreateSessionResponse & { error?: string } };
}

function connect(url: string, origin?: string): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.on('open', () => resolve({ ws }));
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    ws.on('error', () => resolve({ status: -1 }));
  });
}

/** Processes whose environment carries the session marker. */
function markedPids(session: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(`ONRAMP_LAB_SESSION=${session}`)) out.push(Number(name));
    } catch {
      /* gone or not ours */
    }
  }
  return out;
}

describe('lab runner security', () => {
  it('requires the session token on the WebSocket', async () => {
    svc = await startLabService();
    const { body } = await create(svc);
    const wsBase = svc.base.replace('http', 'ws');
    expect((await connect(`${wsBase}/api/labs/sessions/${body.session}/ws`, svc.base)).status).toBe(401);
    expect((await connect(`${wsBase}/api/labs/sessions/${body.session}/ws?token=${'x'.repeat(body.token.length)}`, svc.base)).status).toBe(401);
    expect((await connect(`${wsBase}/api/labs/sessions/nope/ws?token=${body.token}`, svc.base)).status).toBe(401);
    const ok = await connect(`${wsBase}${body.ws}`, svc.base);
    expect(ok.ws).toBeDefined();
    // Only one connection per session.
    expect((await connect(`${wsBase}${body.ws}`, svc.base)).status).toBe(409);
    ok.ws!.close();
  });

  it('refuses a foreign or missing Origin', async () => {
    svc = await startLabService();
    const { body } = await create(svc);
    const url = `${svc.base.replace('http', 'ws')}${body.ws}`;
    expect((await connect(url, 'https://evil.example')).status).toBe(403);
    expect((await connect(url)).status).toBe(403);
    const cross = await fetch(`${svc.base}/api/labs/pkl-to-endpoint/sessions`, { method: 'POST', headers: { Origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
  });

  it('confines file reads and writes to the session directory', async () => {
    svc = await startLabService();
    const rt = svc.runtime('pkl-to-endpoint');
    await rt.boot(() => {});
    try {
      await expect(rt.writeFile('../escape.txt', 'x')).rejects.toThrow(/\.\./);
      await expect(rt.writeFile('/tmp/escape.txt', 'x')).rejects.toThrow(/absolute/);
      await expect(rt.readFile('../../etc/passwd')).rejects.toThrow();
      // Symlinks made inside the lab cannot be followed out of it.
      const made = await rt.exec('ln -s /etc etc-link && ln -s /etc/hostname host-link && ln -s /tmp tmp-dir', { timeoutMs: 5000 });
      expect(made.exitCode).toBe(0);
      await expect(rt.readFile('etc-link/passwd')).rejects.toThrow(/outside/);
      await expect(rt.readFile('host-link')).rejects.toThrow(/outside/);
      await expect(rt.writeFile('host-link', 'x')).rejects.toThrow(/symbolic link|outside/);
      await expect(rt.writeFile('tmp-dir/owned.txt', 'x')).rejects.toThrow(/not a folder inside|outside/);
      expect(existsSync('/tmp/owned.txt')).toBe(false);
      // Ordinary files work.
      await rt.writeFile('notes/today.txt', 'hello');
      expect(new TextDecoder().decode(await rt.readFile('notes/today.txt'))).toBe('hello');
    } finally {
      await rt.teardown();
    }
  });

  it('caps concurrent sessions with a clear 503', async () => {
    svc = await startLabService({ maxSessions: 2 });
    expect((await create(svc)).status).toBe(201);
    expect((await create(svc)).status).toBe(201);
    const third = await create(svc);
    expect(third.status).toBe(503);
    expect(third.body.error).toMatch(/All 2 lab sessions/);
  });

  it('answers 404 when the runner is turned off, and for unknown labs', async () => {
    svc = await startLabService({ enabled: false });
    expect((await create(svc)).status).toBe(404);
    await svc.close();
    svc = await startLabService();
    expect((await create(svc, 'no-such-lab')).status).toBe(404);
  });

  it('ends idle sessions', async () => {
    svc = await startLabService({ idleSeconds: 0.5 });
    const rt = svc.runtime('pkl-to-endpoint');
    const reasons: string[] = [];
    rt.onClose((r) => reasons.push(r));
    await rt.boot(() => {});
    expect(await until(() => reasons.length > 0, 100)).toBe(true);
    expect(reasons[0]).toMatch(/without activity/);
    expect(svc.runner.sessions.size).toBe(0);
  });

  it('proxies only ports the session opened, with the token', async () => {
    svc = await startLabService();
    // A server outside the session: must not be reachable through the preview proxy.
    const outside = createServer((_q, r) => r.end('outside')).listen(0, '127.0.0.1');
    await new Promise((r) => outside.once('listening', r));
    const outsidePort = (outside.address() as AddressInfo).port;
    const rt = svc.runtime('pkl-to-endpoint');
    const ports: string[] = [];
    rt.onServer((e) => ports.push(e.url));
    await rt.boot(() => {});
    try {
      const session = rt.session!;
      expect((await fetch(`${svc.base}/lab-preview/${session.session}/${session.token}/${outsidePort}/`)).status).toBe(404);
      await rt.exec("node -e \"require('http').createServer((q,r)=>r.end('inside '+q.url)).listen(18931,'127.0.0.1')\"", { background: true });
      expect(await until(() => ports.length > 0, 160)).toBe(true);
      const url = ports[0]!;
      expect(url).toContain('/18931/');
      const ok = await fetch(url + 'hello');
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('inside /hello');
      expect(ok.headers.get('cross-origin-embedder-policy')).toBe('credentialless');
      expect(ok.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect((await fetch(url.replace(session.token, 'x'.repeat(session.token.length)))).status).toBe(404);
      expect((await fetch(url, { headers: { 'Sec-Fetch-Site': 'cross-site' } })).status).toBe(403);
    } finally {
      await rt.teardown();
      outside.close();
    }
  });

  it('leaves no process behind when the socket closes, and removes the directory', async () => {
    svc = await startLabService();
    const rt = svc.runtime('pkl-to-endpoint');
    await rt.boot(() => {});
    const id = rt.session!.session;
    const session = svc.runner.sessions.get(id)!;
    const dir = session.root;
    const shell = await rt.shell({ cols: 80, rows: 24 }, () => {});
    shell.write('sleep 1001 &\r');
    shell.write('setsid sleep 1002 &\r');
    shell.write('(trap "" TERM; sleep 1003) &\r');
    await rt.exec('sleep 1004', { background: true });
    await rt.exec('nohup setsid sleep 1005 > /dev/null 2>&1 &', { background: true });
    expect(await until(() => markedPids(id).length >= 6)).toBe(true);
    await rt.teardown();
    expect(await until(() => markedPids(id).length === 0 && !existsSync(dir), 160)).toBe(true);
    expect(svc.runner.sessions.size).toBe(0);
  });
});
