/**
 * The in-tab engine in-process (its Worker is only a transport): the shell's state from line to
 * line, ramp on the shared filesystem with redirects, job control, servers on the virtual network
 * reached by curl, and the change list the page keeps for a restart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/lab/tab/engine.ts';
import { until } from '../../helpers/until.ts';

const LAB = join(process.cwd(), 'labs', 'pkl-to-endpoint', 'files');
const starter = (): [string, Uint8Array][] => ['churn.joblib', 'rows.json', 'rows.csv'].map((f) => [f, new Uint8Array(readFileSync(join(LAB, f)))]);

describe('the in-tab engine', () => {
  it('carries cd and variables from line to line, and cp overwrites a file', async () => {
    const e = new Engine([['a.txt', 'hello'], ['b.txt', 'x'], ['sub/c.txt', 'c']]);
    await e.line('cd sub && export X=7');
    expect((await e.line('echo "$X $(pwd)"; cat c.txt')).stdout).toBe('7 /home/lab/sub\nc');
    expect((await e.line('cd .. && cp a.txt b.txt && cat b.txt')).stdout).toBe('hello');
    expect(new TextDecoder().decode(e.readFile('b.txt'))).toBe('hello');
  });

  it('runs ramp on the lab files, with > and pipes, and its exit codes', async () => {
    const e = new Engine(starter());
    const scan = await e.line('ramp scan churn.joblib > scan.txt; echo "exit $?"');
    expect(scan.stdout).toBe('exit 0\n');
    expect(new TextDecoder().decode(e.readFile('scan.txt'))).toMatch(/safe/);
    const predict = await e.line('ramp predict churn.joblib --input rows.json --json | jq -c .predictions');
    expect(predict.stdout.trim()).toBe('[0,1,1]');
    expect((await e.line('ramp scan no-such.pkl')).exitCode).toBe(1);
  });

  it('starts servers as jobs that curl reaches, lists them, and kill %N stops them', async () => {
    const notes: string[] = [];
    const ports: [number, boolean][] = [];
    const e = new Engine(starter(), { onTerminal: (t) => notes.push(t), onServer: (p, open) => ports.push([p, open]) });
    expect((await e.line('ramp serve churn.joblib --port 8080 &')).stdout).toMatch(/^\[1\] \d+\n$/);
    expect(await until(() => ports.some(([p, o]) => p === 8080 && o))).toBe(true);
    expect(notes.join('')).toContain('Serving churn on http://127.0.0.1:8080');
    expect((await e.line('curl -s http://127.0.0.1:8080/v2/health/ready -o /dev/null -w "%{http_code}"')).stdout).toBe('200');
    expect((await e.line('jobs')).stdout).toMatch(/\[1\]\+\s+Running\s+ramp serve churn.joblib --port 8080 &/);
    // The port is taken while it runs.
    expect((await e.line('ramp serve churn.joblib --port 8080')).exitCode).not.toBe(0);
    await e.line('kill %1');
    expect(await until(() => ports.some(([p, o]) => p === 8080 && !o))).toBe(true);
    expect(await until(() => notes.join('').includes('Terminated'))).toBe(true);
    expect((await e.line('jobs')).stdout).toBe('');
    expect((await e.line('kill %1')).stderr).toMatch(/no such job/);
    expect((await e.line('curl -s http://127.0.0.1:8080/')).exitCode).not.toBe(0);
  });

  it('Ctrl-C stops a server in the foreground', async () => {
    const e = new Engine(starter());
    const serving = e.line('ramp serve churn.joblib --port 9000');
    expect(await until(() => e.net.openPorts().includes(9000))).toBe(true);
    expect(e.interrupt()).toBe(true);
    expect((await serving).exitCode).toBe(130);
    expect(e.net.openPorts()).toEqual([]);
    expect(e.interrupt()).toBe(false);
  });

  it('refuses requests to anything but the lab (no request leaves the tab)', async () => {
    const e = new Engine([]);
    const r = await e.line('curl -s -f https://example.com/ ; echo "exit $?"');
    expect(r.stdout).not.toContain('exit 0');
  });

  it('completes file names and reports changed files once', async () => {
    const e = new Engine([['churn.joblib', 'x'], ['call.mjs', 'y'], ['data/a.csv', 'z']]);
    expect(e.complete('ch').sort()).toEqual(['churn.joblib']);
    expect(e.complete('da')).toEqual(['data/']);
    expect(e.complete('data/')).toEqual(['data/a.csv']);
    e.changes();
    await e.line('echo new > note.txt; rm call.mjs');
    const changes = Object.fromEntries(e.changes().map(([p, d]) => [p, d && new TextDecoder().decode(d)]));
    expect(changes).toEqual({ 'note.txt': 'new\n', 'call.mjs': null });
    expect(e.changes()).toEqual([]);
  });

  it('stty size tells the terminal size; checks run from the lab folder with a fresh environment', async () => {
    const e = new Engine([['x.txt', '1']]);
    e.size = { cols: 90, rows: 20 };
    expect((await e.line('stty size')).stdout).toBe('20 90\n');
    await e.line('mkdir d && cd d && export Y=1');
    const r = await e.exec('pwd; echo "y=$Y"', 5000);
    expect(r).toMatchObject({ exitCode: 0, output: '/home/lab\ny=\n', timedOut: false });
  });
});
