/**
 * `npm run labs:check`: every lab, on the lab runner's real code path (service, WebSocket, pty
 * session, checks in their own process groups). Each check must fail on the starter files, and
 * pass once that step's solution is applied, in order.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { labIds, labSolutionFiles, loadLab } from '../../src/shared/lab-files.ts';
import { applySolution, runCheck } from '../../src/lab/solve.ts';
import { ROOT, startLabService, type LabService } from '../helpers/lab-service.ts';

let svc: LabService;
beforeAll(async () => {
  svc = await startLabService();
});
afterAll(async () => {
  await svc?.close();
});

const ids = labIds(ROOT);

/** Ports the labs' servers use (pkl-to-endpoint serves on 8080; call-a-model-from-your-app on 8080 and 8081). */
const LAB_PORTS = [8080, 8081];

/** Waits until nothing listens on the port: a server left by another run would make a check pass on the starter files. */
async function waitUntilFree(port: number, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const busy = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (!busy) return;
    if (Date.now() > end) throw new Error(`port ${port} stays in use by another process; the lab's checks cannot be tested while it is`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeEach(async () => {
  for (const port of LAB_PORTS) await waitUntilFree(port);
}, 70_000);

it('finds at least one lab', () => {
  expect(ids.length).toBeGreaterThan(0);
});

describe.each(ids)('lab %s', (id) => {
  const lab = loadLab(ROOT, id);
  const files = labSolutionFiles(ROOT, id);

  it('every check fails on the starter files', async () => {
    const rt = svc.runtime(id);
    await rt.boot(() => {});
    try {
      for (const step of lab.steps) {
        const result = await runCheck(rt, step);
        expect(result.exitCode, `check of step "${step.id}" passed on the starter files:\n${result.output}`).not.toBe(0);
      }
    } finally {
      await rt.teardown();
    }
  }, 120_000);

  it('each check fails before its solution and passes after it, in order', async () => {
    const rt = svc.runtime(id);
    await rt.boot(() => {});
    try {
      for (const step of lab.steps) {
        const before = await runCheck(rt, step);
        expect(before.exitCode, `check of step "${step.id}" passed before its solution:\n${before.output}`).not.toBe(0);
        const runs = await applySolution(rt, step, files);
        for (const r of runs) if (!/&\s*$/.test(r.command)) expect(r.result.exitCode, `solution command "${r.command}" of "${step.id}" failed:\n${r.result.output}`).toBe(0);
        const after = await runCheck(rt, step);
        expect(after.exitCode, `check of step "${step.id}" failed after its solution:\n${after.output}`).toBe(0);
      }
    } finally {
      await rt.teardown();
    }
  }, 180_000);
});
