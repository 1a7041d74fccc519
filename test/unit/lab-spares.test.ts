// Warm spares: after a Start, the runner prepares the next session for that lab; the next learner
// gets it, with its own folder and sandbox, and nothing of a spare outlives the service.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunnerRuntime } from '../../src/lab/runner-client.ts';
import type { LabTree } from '../../src/shared/lab-schema.ts';
import { labTree } from '../../src/shared/lab-files.ts';
import { startLabService, type LabService } from '../helpers/lab-service.ts';
import { until } from '../helpers/until.ts';

describe('lab runner: warm spares', () => {
  let svc: LabService;
  const runtimes: RunnerRuntime[] = [];
  beforeAll(async () => {
    svc = await startLabService({ maxSessions: 3 });
  });
  afterAll(async () => {
    for (const rt of runtimes) await rt.teardown();
    await svc.close().catch(() => {});
  });

  it('prepares one session after a Start, hands it to the next learner, and prepares another', { timeout: 60_000 }, async () => {
    const a = svc.runtime('pkl-to-endpoint');
    runtimes.push(a);
    await a.boot(() => {});
    expect(await until(() => svc.runner.spares.size === 1, 200), 'a spare is prepared').toBe(true);
    const spareDirs = [...svc.runner.sessions.values()].map((s) => s.dir);
    const b = svc.runtime('pkl-to-endpoint');
    runtimes.push(b);
    await b.boot(() => {});
    // b's session is a different one, with its own folder; a file a writes is not in b.
    await a.writeFile('mine.txt', 'a');
    const r = await b.exec('ls mine.txt; pwd', { timeoutMs: 20_000 });
    expect(r.output).toMatch(/No such file/);
    const dirs = [...svc.runner.sessions.values()].map((s) => s.dir);
    expect(new Set(dirs).size).toBe(2);
    expect(dirs).toEqual(expect.arrayContaining(spareDirs));
    // Room for one more session: a new spare; no room beyond maxSessions.
    expect(await until(() => svc.runner.spares.size === 1, 200), 'the next spare is prepared').toBe(true);
  });

  it('a spare built from another tree is not handed out; spares are gone with the service', { timeout: 60_000 }, async () => {
    const [first] = await svc.runner.spares.sessions();
    expect(first).toBeDefined();
    expect(await svc.runner.spares.take('pkl-to-endpoint', {} as LabTree)).toBe(null);
    expect(existsSync(first!.root)).toBe(false);
    svc.runner.spares.refill('pkl-to-endpoint', await labTree(process.cwd(), 'pkl-to-endpoint'));
    const roots = (await svc.runner.spares.sessions()).map((s) => s.root);
    expect(roots).toHaveLength(1);
    for (const rt of runtimes.splice(0)) await rt.teardown();
    await svc.close();
    for (const root of roots) expect(existsSync(root), root).toBe(false);
    expect(svc.runner.spares.size).toBe(0);
  });
});
