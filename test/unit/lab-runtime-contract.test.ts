/**
 * One contract, three runtimes: the same tests against the lab runner (the real service and a Node
 * WebSocket client), the WebContainer adapter over a fake WebContainer, and the in-tab runtime
 * (its engine on the other end of a MessageChannel instead of a Worker; the preview's last hop, a
 * Service Worker, is covered by the browser tests).
 */
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import type { LabRuntime, ServerEvent } from '../../src/lab/runtime.ts';
import { WebContainerRuntime } from '../../src/lab/webcontainer.ts';
import { TabRuntime } from '../../src/lab/tab/runtime.ts';
import { serveEngine } from '../../src/lab/tab/protocol.ts';
import { labTree } from '../../src/shared/lab-files.ts';
import { FakeWebContainer } from '../helpers/fake-webcontainer.ts';
import { ROOT, startLabService, type LabService } from '../helpers/lab-service.ts';
import { until } from '../helpers/until.ts';

const LAB = 'pkl-to-endpoint';
let svc: LabService;
beforeAll(async () => {
  svc = await startLabService();
});
afterAll(async () => {
  await svc?.close();
});

const backends: [string, () => Promise<LabRuntime>][] = [
  ['lab runner', async () => svc.runtime(LAB)],
  [
    'WebContainer (fake)',
    async () => {
      const tree = await labTree(ROOT, LAB);
      const fakeFetch = (async () => new Response(JSON.stringify(tree))) as unknown as typeof fetch;
      return new WebContainerRuntime({ treeUrl: '/labs/pkl-to-endpoint/tree.json', api: FakeWebContainer.api, fetch: fakeFetch });
    },
  ],
  [
    'in the tab',
    async () => {
      const tree = await labTree(ROOT, LAB);
      const fakeFetch = (async () => new Response(JSON.stringify(tree))) as unknown as typeof fetch;
      const connect = () => {
        const channel = new MessageChannel();
        serveEngine(channel.port2 as unknown as Parameters<typeof serveEngine>[0]);
        return Object.assign(channel.port1 as unknown as ReturnType<ConstructorParameters<typeof TabRuntime>[0]['connect']>, { terminate: () => channel.port1.close() });
      };
      return new TabRuntime({ treeUrl: '/labs/pkl-to-endpoint/tree.json', fetch: fakeFetch, connect, previewBase: '/lab-tab/preview/test-session/' });
    },
  ],
];

/** GET `path` from a server the lab announced: over HTTP, or for the tab through the same call its Service Worker makes. */
async function reach(rt: LabRuntime, event: ServerEvent, path: string): Promise<{ status: number; text: string }> {
  if (rt instanceof TabRuntime) {
    const r = await rt.http({ port: event.port, method: 'GET', path: `/${path}`, headers: {}, body: new Uint8Array() });
    return { status: r.status, text: new TextDecoder().decode(r.body) };
  }
  const res = await fetch(new URL(path, event.url));
  return { status: res.status, text: await res.text() };
}

describe.each(backends)('LabRuntime contract: %s', (name, make) => {
  let rt: LabRuntime;
  beforeEach(async () => {
    rt = await make();
    const steps: number[] = [];
    await rt.boot((p) => p.fraction !== undefined && steps.push(p.fraction));
    expect(steps.at(-1)).toBe(1);
  });
  afterEach(async () => {
    await rt.teardown();
  });

  it('mounts the starter files, with ramp on the PATH as a real file', async () => {
    const files = await rt.listFiles();
    expect(files).toEqual(expect.arrayContaining(['churn.joblib', 'rows.json', 'call.mjs', 'bin/ramp']));
    const r = await rt.exec('ramp scan churn.joblib', { timeoutMs: 20_000 });
    expect(r.exitCode, r.output).toBe(0);
    expect(r.output).toMatch(/safe/);
  });

  it('runs commands with their exit code and output', async () => {
    const r = await rt.exec('echo out; echo err >&2; exit 3');
    expect(r.exitCode).toBe(3);
    expect(r.output).toContain('out');
    expect(r.output).toContain('err');
    expect(r.timedOut).toBe(false);
  });

  // sleep 600 would outlast the test's own timeout: passing means the runtime killed it.
  it('kills a command that runs past its timeout', { timeout: 30_000 }, async () => {
    const r = await rt.exec('sleep 600', { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBe(null);
  });

  it('reads and writes files, and mounts trees', async () => {
    await rt.writeFile('notes/a.txt', 'hello');
    expect(new TextDecoder().decode(await rt.readFile('notes/a.txt'))).toBe('hello');
    await rt.mount({ deep: { directory: { 'b.json': { file: { contents: '{"b":1}' } } } }, 'bin.dat': { file: { base64: 'AAEC' } } });
    expect(new TextDecoder().decode(await rt.readFile('deep/b.json'))).toBe('{"b":1}');
    expect([...(await rt.readFile('bin.dat'))]).toEqual([0, 1, 2]);
    expect((await rt.exec('cat notes/a.txt')).output).toBe('hello');
  });

  it('gives an interactive shell sized to the terminal', async () => {
    let out = '';
    const shell = await rt.shell({ cols: 90, rows: 20 }, (d) => (out += d));
    shell.write('echo $((6*7)); stty size\r');
    expect(await until(() => out.includes('42') && out.includes('20 90'))).toBe(true);
    shell.resize(100, 30);
    shell.write('stty size\r');
    expect(await until(() => out.includes('30 100'))).toBe(true);
  });

  it('announces servers the lab starts, with a URL that reaches them', async () => {
    const events: ServerEvent[] = [];
    rt.onServer((e) => events.push(e));
    const port = { 'lab runner': 18941, 'WebContainer (fake)': 18942 }[name] ?? 18943;
    await rt.exec(`ramp serve churn.joblib --port ${port}`, { background: true });
    expect(await until(() => events.some((e) => e.port === port && e.type === 'open'))).toBe(true);
    const open = events.find((e) => e.port === port)!;
    expect(await until(async () => (await reach(rt, open, 'v2/health/ready').catch(() => ({ status: 0 }))).status === 200)).toBe(true);
    const meta = await reach(rt, open, 'v2/models/churn');
    expect(JSON.parse(meta.text)).toMatchObject({ name: 'churn' });
    await rt.exec(`pkill -f "port ${port}" || true`);
    expect(await until(() => events.some((e) => e.port === port && e.type === 'close'))).toBe(true);
  });
});

it('boots the WebContainer with coep credentialless, matching the page headers', () => {
  expect(FakeWebContainer.bootOptions[0]).toMatchObject({ coep: 'credentialless' });
});
