/**
 * The sandbox drivers' contracts without running a sandbox: the arguments bubblewrap and the
 * container CLI get, and the container driver end to end against a fake CLI
 * (test/fixtures/fake-container-cli.mjs) through the real service, WebSocket and preview proxy.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bindRefusal } from '../../src/server/lab-runner/index.ts';
import { bwrapArgs, prlimitArgs } from '../../src/server/lab-runner/sandbox-bwrap.ts';
import type { BwrapHost } from '../../src/server/lab-runner/sandbox-bwrap-host.ts';
import { containerRunArgs, ContainerSandbox, containerSettings } from '../../src/server/lab-runner/sandbox-container.ts';
import { noSandbox } from '../../src/server/lab-runner/sandbox-drivers.ts';
import { DEFAULT_LIMITS, type SandboxDriver } from '../../src/server/lab-runner/sandbox.ts';
import { overLimit } from '../../src/server/lab-runner/usage.ts';
import { ROOT, startLabService, type LabService } from '../helpers/lab-service.ts';
import { until } from '../helpers/until.ts';

const host: BwrapHost = {
  bwrap: '/usr/bin/bwrap',
  nsenter: '/usr/bin/nsenter',
  dropPrivileges: ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--no-new-privs', '--'],
  sandboxUser: { uid: 65534, gid: 65534 },
  asRoot: true,
  usrLinks: [['/bin', 'usr/bin'], ['/lib', 'usr/lib']],
  nodeDir: '/opt/somewhere/node/bin',
};
const session = { id: 'abc', root: '/tmp/onramp-lab-x', dir: '/tmp/onramp-lab-x/lab' };

describe('bubblewrap arguments', () => {
  const args = bwrapArgs(host, session, DEFAULT_LIMITS);
  const binds = (flag: string) => args.flatMap((a, i) => (a === flag ? [`${args[i + 1]} -> ${args[i + 2]}`] : []));

  it('unshares every namespace and the user, and dies with the service', () => {
    for (const flag of ['--unshare-all', '--unshare-user', '--die-with-parent', '--new-session', '--clearenv']) expect(args).toContain(flag);
    expect(args).not.toContain('--share-net');
  });

  it('binds the system read-only and only the session folder writable', () => {
    expect(binds('--bind')).toEqual([`${session.dir} -> /lab`]);
    const ro = binds('--ro-bind').concat(binds('--ro-bind-try'));
    expect(ro).toContain('/usr -> /usr');
    expect(ro).toContain(`${host.nodeDir} -> /opt/node/bin`);
    for (const source of ro.map((b) => b.split(' -> ')[0]!)) {
      expect(source.startsWith('/usr') || source.startsWith('/etc/') || source.startsWith(session.root) || source === host.nodeDir, source).toBe(true);
    }
    expect(args.join(' ')).not.toMatch(/\/work|\/root|\/home|onramp\.db/);
    expect(args).toContain('/tmp');
    expect(args[args.indexOf('/tmp') - 1]).toBe('--tmpfs');
  });

  it('limits processes, memory, CPU, file size and open files', () => {
    const limits = prlimitArgs(DEFAULT_LIMITS).join(' ');
    for (const flag of ['--nproc=', '--as=', '--cpu=', '--fsize=', '--nofile=']) expect(limits).toContain(flag);
  });
});

describe('limits', () => {
  it('names the limit a session went over', () => {
    expect(overLimit({ processes: 1, memoryBytes: 0, diskBytes: DEFAULT_LIMITS.diskBytes + 1 }, DEFAULT_LIMITS)).toMatch(/quota/);
    expect(overLimit({ processes: 1, memoryBytes: DEFAULT_LIMITS.sessionMemoryBytes + 1, diskBytes: 0 }, DEFAULT_LIMITS)).toMatch(/memory/);
    expect(overLimit({ processes: DEFAULT_LIMITS.processes, memoryBytes: 0, diskBytes: 0 }, DEFAULT_LIMITS)).toMatch(/processes/);
    expect(overLimit({ processes: 3, memoryBytes: 1e6, diskBytes: 1e6 }, DEFAULT_LIMITS)).toBeNull();
  });

  it('refuses to serve beyond loopback without a sandbox, and says why', () => {
    const none = noSandbox();
    expect(bindRefusal('127.0.0.1', none, true)).toBeNull();
    expect(bindRefusal('0.0.0.0', none, false)).toBeNull();
    expect(bindRefusal('0.0.0.0', none, true, 'bwrap is not installed')).toMatch(/refusing to listen on 0\.0\.0\.0.*bwrap is not installed/);
    expect(bindRefusal('0.0.0.0', { ...none, confining: true }, true)).toBeNull();
  });
});

describe('container driver', () => {
  it('runs the container without network, capabilities or root, with limits', () => {
    const args = containerRunArgs(containerSettings({ ONRAMP_LAB_CONTAINER_IMAGE: 'team/lab:1' }), session, DEFAULT_LIMITS, 'onramp-lab-abc');
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    expect(value('--network')).toBe('none');
    expect(value('--user')).toBe('65534:65534');
    expect(value('--cap-drop')).toBe('ALL');
    expect(value('--security-opt')).toBe('no-new-privileges');
    expect(args).toContain('--read-only');
    expect(value('--pids-limit')).toBe(String(DEFAULT_LIMITS.processes));
    expect(value('--memory')).toBe(String(DEFAULT_LIMITS.sessionMemoryBytes));
    expect(args).toContain(`${session.dir}:/lab`);
    expect(args).toContain('team/lab:1');
  });

  let svc: LabService | undefined;
  afterEach(async () => {
    await svc?.close();
    svc = undefined;
  });

  it('runs a session end to end through a (fake) container CLI', async () => {
    const state = mkdtempSync(join(tmpdir(), 'onramp-fake-cli-'));
    process.env.FAKE_CLI_STATE = state;
    const settings = { cli: join(ROOT, 'test/fixtures/fake-container-cli.mjs'), image: 'test-image', user: `${process.getuid!()}:${process.getgid!()}`, nodeBinDir: '/usr/bin' };
    const sandbox: SandboxDriver = { kind: 'container', limits: DEFAULT_LIMITS, confining: true, create: (s) => new ContainerSandbox(settings, s, DEFAULT_LIMITS) };
    svc = await startLabService({ sandbox });
    const rt = svc.runtime('pkl-to-endpoint');
    const servers: string[] = [];
    rt.onServer((e) => servers.push(e.url));
    await rt.boot(() => {});
    const result = await rt.exec('echo from-$((20+22)) && test -f churn.joblib', { timeoutMs: 20_000 });
    expect(result.output).toContain('from-42');
    expect(result.exitCode).toBe(0);
    await rt.writeFile('notes/a.txt', 'hello');
    expect(new TextDecoder().decode(await rt.readFile('notes/a.txt'))).toBe('hello');
    await rt.exec("node -e \"require('http').createServer((q,r)=>r.end('in container '+q.url)).listen(18955,'127.0.0.1')\"", { background: true });
    expect(await until(() => servers.some((u) => u.includes('/18955/')), 600, 100)).toBe(true);
    const url = servers.find((u) => u.includes('/18955/'))!;
    const res = await fetch(url + 'x');
    expect(await res.text()).toBe('in container /x');
    const name = [...svc.runner.sessions.values()][0]!.sandbox as ContainerSandbox;
    await rt.teardown();
    await svc.close();
    svc = undefined;
    const calls = readFileSync(join(state, 'log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    expect(calls[0]![0]).toBe('run');
    expect(calls.some((c) => c[0] === 'exec' && c.includes(name.name))).toBe(true);
    expect(calls.some((c) => c[0] === 'rm' && c.includes(name.name))).toBe(true);
    expect(existsSync(join(state, `${name.name}.json`))).toBe(false);
    await fetch('http://127.0.0.1:18955/').then(
      () => expect.unreachable('the container process should be gone'),
      () => {},
    );
  }, 120_000);
});
