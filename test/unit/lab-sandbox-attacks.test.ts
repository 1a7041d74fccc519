/**
 * What a learner could try from a lab session's own shell, run inside a real bubblewrap sandbox
 * through the runner's WebSocket (the same path as the terminal and the checks). Each attack is
 * denied or contained, the service keeps serving the other session, and nothing is left behind.
 * Limits are small here so that the fork bomb, memory and disk attacks end fast; the code
 * enforces them, the test only waits (generously) for it.
 *
 * Without bubblewrap the suite says it is skipped and why; under CI it fails instead.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../src/server/app.ts';
import { readFeedbackConfig } from '../../src/server/feedback/config.ts';
import { feedbackPart } from '../../src/server/feedback/part.ts';
import { labRunner, type LabRunner } from '../../src/server/lab-runner/index.ts';
import { treeLoader } from '../../src/server/lab-runner/trees.ts';
import { bubblewrapHere, bwrapDriver } from '../../src/server/lab-runner/sandbox-drivers.ts';
import { DEFAULT_LIMITS, type SandboxLimits } from '../../src/server/lab-runner/sandbox.ts';
import { RunnerRuntime, type SocketLike } from '../../src/lab/runner-client.ts';
import { personaIds } from '../../src/shared/personas.ts';
import WebSocket from 'ws';
import { ROOT } from '../helpers/lab-service.ts';
import { until } from '../helpers/until.ts';

const here = bubblewrapHere();
const SKIP = 'host' in here ? undefined : `sandbox attack suite skipped: ${here.why}`;

describe('bubblewrap availability', () => {
  it('is there in CI', () => {
    if (SKIP && process.env.CI) throw new Error(`${SKIP}; CI must run it (add bubblewrap to .ci/run), so this fails instead of skipping`);
    if (SKIP) console.warn(SKIP);
  });
});

const MB = 2 ** 20;
const LIMITS: SandboxLimits = { ...DEFAULT_LIMITS, processes: 96, sessionMemoryBytes: 400 * MB, fileBytes: 32 * MB, diskBytes: 80 * MB, tmpBytes: 16 * MB };
const SECRET = `attack-secret-${process.pid}-${Date.now()}`;

let service: Service;
let runner: LabRunner;
let base = '';
let dbFile = '';
let port = 0;
/** Every session folder this suite's runner made (other runs on the machine make their own). */
const roots = new Set<string>();

function marked(session: string): number {
  let n = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(`ONRAMP_LAB_SESSION=${session}`)) n++;
    } catch {
      /* gone */
    }
  }
  return n;
}

function runtime(): RunnerRuntime {
  return new RunnerRuntime({ lab: 'pkl-to-endpoint', baseUrl: base, createSocket: (url) => new WebSocket(url, { origin: base }) as unknown as SocketLike });
}

async function open(): Promise<{ rt: RunnerRuntime; closed: string[]; sh: (cmd: string, timeoutMs?: number) => Promise<{ exitCode: number | null; output: string }> }> {
  const rt = runtime();
  const closed: string[] = [];
  rt.onClose((r) => closed.push(r));
  await rt.boot(() => {});
  roots.add(runner.sessions.get(rt.session!.session)!.root);
  return { rt, closed, sh: (cmd, timeoutMs = 20_000) => rt.exec(cmd, { timeoutMs }) };
}

const alive = async () => (await fetch(`${base}/api/health`)).status === 200;

(SKIP ? describe.skip : describe)('attacks from inside a sandboxed lab session', () => {
  let victim: Awaited<ReturnType<typeof open>>;
  let victimDir = '';

  beforeAll(async () => {
    process.env.ONRAMP_ATTACK_SECRET = SECRET;
    const data = mkdtempSync(join(tmpdir(), 'onramp-attack-store-'));
    dbFile = join(data, 'onramp.db');
    const site = mkdtempSync(join(tmpdir(), 'onramp-attack-site-'));
    const feedback = await feedbackPart(readFeedbackConfig({ ONRAMP_DB: dbFile, ONRAMP_ADMIN_TOKEN: SECRET }), personaIds());
    runner = labRunner({ loadTree: treeLoader(join(site, 'none'), ROOT), sandbox: bwrapDriver((here as { host: never }).host, LIMITS), pollMs: 150, usageMs: 300 });
    service = await createService({ port: 0, host: '127.0.0.1', siteDir: site }, [feedback, runner]);
    await new Promise<void>((r) => service.server.listen(0, '127.0.0.1', r));
    port = (service.server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
    victim = await open();
    await victim.rt.writeFile('secret.txt', SECRET);
    victimDir = runner.sessions.get(victim.rt.session!.session)!.dir;
  });

  afterAll(async () => {
    await victim?.rt.teardown();
    await service?.close();
    delete process.env.ONRAMP_ATTACK_SECRET;
  });

  it('runs as an unprivileged user that sees none of the host', async () => {
    const { rt, sh } = await open();
    const who = await sh('id -u; cat /proc/self/uid_map; ls / ; ls /home /root /work /srv /var/lib 2>&1; echo ---; ls /tmp');
    expect(who.output.split('\n')[0]).not.toBe('0');
    expect(who.output).not.toMatch(/^\s*\d+\s+0\s+1/m); // not mapped onto the host's root
    expect(who.output).not.toMatch(/wt-sandbox|onramp-lab-|onramp-attack/);
    await rt.teardown();
  });

  it('cannot read the store file or the service environment', async () => {
    const { rt, sh } = await open();
    const store = await sh(`cat ${dbFile}; ls ${join(dbFile, '..')}; find / -name 'onramp*.db' 2>/dev/null; echo done`);
    expect(store.output).not.toContain('SQLite format');
    expect(store.output).toMatch(/No such file/);
    const env = await sh(`cat /proc/${process.pid}/environ; cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n'; env`);
    expect(env.output).not.toContain(SECRET);
    expect(env.output).not.toMatch(/DATABASE_URL|ONRAMP_ADMIN_TOKEN/);
    await rt.teardown();
  });

  it("can neither see nor kill the service's processes", async () => {
    const { rt, sh } = await open();
    const ps = await sh(`ps ax -o pid=,args=; kill -9 ${process.pid}`);
    expect(ps.output).not.toMatch(/vitest|node_modules/);
    expect(ps.output).toMatch(/No such process/);
    // Killing everything it can see ends only its own sandbox.
    await rt.exec('kill -9 -1', { background: true });
    expect(await alive()).toBe(true);
    expect((await victim.sh('echo still-here')).output).toContain('still-here');
    await rt.teardown();
  });

  it("cannot read or write another session's folder, or write outside its own", async () => {
    const { rt, sh } = await open();
    const tag = `pwned-${Date.now()}`;
    const other = await sh(`cat ${victimDir}/secret.txt; ls ${join(victimDir, '..')}; echo x > ${victimDir}/${tag}; echo done`);
    expect(other.output).not.toContain(SECRET);
    expect(existsSync(join(victimDir, tag))).toBe(false);
    const outside = await sh(`for p in /${tag} /usr/${tag} /etc/${tag} /opt/node/bin/${tag} /lab/../${tag}; do echo x > $p; done; echo x > /tmp/${tag} && echo tmp-ok`);
    expect(outside.output).toContain('tmp-ok'); // its private /tmp…
    for (const p of [`/${tag}`, `/usr/${tag}`, `/etc/${tag}`, join(tmpdir(), tag)]) expect(existsSync(p), p).toBe(false); // …is not the host's
    await rt.teardown();
  });

  it('cannot open connections beyond its own loopback, nor reach the service', async () => {
    const { rt, sh } = await open();
    const net = await sh(`(exec 3<>/dev/tcp/1.1.1.1/80) 2>&1; (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>&1; node -e "require('net').connect(${port}, '10.0.2.2').on('error', e => console.log('node:', e.code))"`);
    expect(net.output).toMatch(/Network is unreachable/);
    expect(net.output).toMatch(/Connection refused/);
    expect(net.output).toMatch(/node: (ENETUNREACH|EHOSTUNREACH)/);
    await rt.teardown();
  });

  it('escapes nothing through symlinks with the editor API, even while swapping them', async () => {
    const { rt, sh } = await open();
    const tag = `editor-${Date.now()}`;
    await sh(`ln -s / rootlink; ln -s /etc/passwd passwd-link; ln -s ${victimDir} victim; mkdir real; mkfifo pipe`);
    await expect(rt.readFile('pipe')).rejects.toThrow(/not a file/); // and does not hang the service
    await expect(rt.readFile('victim/secret.txt')).rejects.toThrow();
    await expect(rt.readFile('rootlink/proc/1/environ')).rejects.toThrow(/outside/);
    await expect(rt.writeFile('passwd-link', 'x')).rejects.toThrow(/symbolic link/);
    await expect(rt.writeFile(`rootlink/tmp/${tag}`, 'x')).rejects.toThrow(/not a folder/);
    // A loop swapping a folder for a symlink to / while the editor writes into it.
    await rt.exec('while true; do rm -rf swap; mkdir swap; rm -rf swap; ln -s / swap; done', { background: true });
    for (let i = 0; i < 30; i++) await rt.writeFile(`swap/${tag}`, SECRET).catch(() => {});
    expect(existsSync(`/${tag}`)).toBe(false);
    expect(existsSync(join(tmpdir(), tag))).toBe(false);
    expect(readdirSync(victimDir)).not.toContain(tag);
    await rt.teardown();
  });

  it('contains a fork bomb: the session is stopped with a message, the service serves others', async () => {
    const { rt, closed, sh } = await open();
    await rt.exec(':(){ :|:& };:', { background: true });
    expect(await until(() => closed.length > 0, 600, 100)).toBe(true);
    expect(closed[0]).toMatch(/processes/);
    expect(await alive()).toBe(true);
    expect((await victim.sh('echo still-here')).output).toContain('still-here');
    void sh;
  }, 120_000);

  it('contains memory: an allocation past the limit fails, a session over its total is stopped', async () => {
    const { rt, closed, sh } = await open();
    const big = await sh(`node -e "Buffer.alloc(${4 * 1024} * 1024 * 1024, 1); console.log('allocated')"`);
    expect(big.output).not.toContain('allocated');
    expect(big.exitCode).not.toBe(0);
    await rt.exec(`node -e "const a = []; for (;;) a.push(Buffer.alloc(32 * 1024 * 1024, 1))"`, { background: true });
    expect(await until(() => closed.length > 0, 600, 100), `sessions ${runner.sessions.size}; ${[...runner.sessions.values()].map((x) => x.id + ' ' + x.closed).join(',')}`).toBe(true);
    expect(closed[0]).toMatch(/memory/);
    expect(await alive()).toBe(true);
  }, 120_000);

  it('contains the disk: a file past the size limit fails, a folder past its quota stops the session', async () => {
    const { rt, closed, sh } = await open();
    const one = await sh('head -c 40M /dev/zero > big.bin; echo "exit $?"; head -c 20M /dev/zero > /tmp/t.bin; echo "tmp $?"');
    expect(one.output).toMatch(/exit (153|1)\b/); // SIGXFSZ, or write error
    expect(one.output).toMatch(/tmp 1\b/); // the private /tmp is small
    await rt.exec('for i in 1 2 3 4 5 6; do head -c 30M /dev/zero > f$i.bin; done', { background: true });
    expect(await until(() => closed.length > 0, 600, 100)).toBe(true);
    expect(closed[0]).toMatch(/quota/);
    expect(await alive()).toBe(true);
  }, 120_000);

  it('leaves no process and no folder behind', async () => {
    const { rt } = await open();
    const id = rt.session!.session;
    await rt.exec('setsid sleep 1000 & nohup sleep 1001 >/dev/null 2>&1 &', { timeoutMs: 5000 });
    expect(marked(id)).toBeGreaterThan(0);
    await rt.teardown();
    expect(await until(() => marked(id) === 0, 200, 100)).toBe(true);
    await victim.rt.teardown();
    expect(await until(() => runner.sessions.size === 0 && [...roots].every((r) => !existsSync(r)), 200, 100)).toBe(true);
    expect(roots.size).toBeGreaterThan(8);
  }, 120_000);
});
