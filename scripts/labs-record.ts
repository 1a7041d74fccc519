// `npm run labs:record`: runs every lab's solution on the lab runner (the real service, session and
// pty code) and stores the real output per step in labs/<id>/recorded.json, which the lab shows
// when no runtime is available. Fails if a check does not pass after its solution.
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createService } from '../src/server/app.ts';
import { labRunner } from '../src/server/lab-runner/index.ts';
import { treeLoader } from '../src/server/lab-runner/trees.ts';
import { RunnerRuntime, type SocketLike } from '../src/lab/runner-client.ts';
import { applySolution, runCheck } from '../src/lab/solve.ts';
import { labIds, labRecordingPath, labSolutionFiles, loadLab } from '../src/shared/lab-files.ts';
import type { LabRecording } from '../src/shared/lab-schema.ts';

const root = process.cwd();
const clean = (s: string) => s.replace(/\/\S*onramp-lab-[A-Za-z0-9]+\/lab/g, '~').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '').trimEnd();

const site = mkdtempSync(join(tmpdir(), 'onramp-record-'));
writeFileSync(join(site, 'index.html'), '');
const runner = labRunner({ loadTree: treeLoader(join(site, 'none'), root) });
const service = await createService({ port: 0, host: '127.0.0.1', siteDir: site }, [runner]);
await new Promise<void>((r) => service.server.listen(0, '127.0.0.1', () => r()));
const base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
let failed = false;
const only = process.argv.slice(2);

for (const id of labIds(root).filter((l) => only.length === 0 || only.includes(l))) {
  const lab = loadLab(root, id);
  const files = labSolutionFiles(root, id);
  const rt = new RunnerRuntime({ lab: id, baseUrl: base, createSocket: (u) => new WebSocket(u, { origin: base }) as unknown as SocketLike });
  await rt.boot(() => {});
  const background: string[] = [];
  const recording: LabRecording = { lab: id, recordedAt: new Date().toISOString(), steps: [] };
  // Output of background commands (servers) arrives on the terminal stream.
  await rt.shell({ cols: 100, rows: 30 }, (d) => background.push(d));
  for (const step of lab.steps) {
    const runs = await applySolution(rt, step, files);
    const commands: LabRecording['steps'][number]['commands'] = [];
    const record = async (command: string, result: { output: string; exitCode: number | null }) => {
      commands.push({ command, output: clean(result.output), exitCode: result.exitCode });
      // Show what a redirect wrote, as the learner would see with cat.
      const target = /\s>\s*(\S+)\s*$/.exec(command)?.[1];
      if (target) {
        const cat = await rt.exec(`cat ${target}`, { timeoutMs: 5000 });
        commands.push({ command: `cat ${target}`, output: clean(cat.output), exitCode: cat.exitCode });
      }
    };
    for (const r of runs) {
      if (/&\s*$/.test(r.command)) {
        await new Promise((res) => setTimeout(res, 1500));
        const output = background.join('').replace(/\S*lab\S*:\S*[$#] ?/g, '');
        background.length = 0;
        commands.push({ command: r.command, output: clean(output).replace(/^\n+/, ''), exitCode: null });
      } else await record(r.command, r.result);
    }
    // The command the learner is invited to try, when the solution does not already run it.
    if (step.try && !step.solution.run.includes(step.try) && !/&\s*$/.test(step.try)) await record(step.try, await rt.exec(step.try, { timeoutMs: step.check.timeout * 1000 }));
    if (step.solution.files.length) commands.unshift({ command: `# the solution writes ${step.solution.files.join(', ')}`, output: '', exitCode: 0 });
    const check = await runCheck(rt, step);
    recording.steps.push({ id: step.id, commands, check: { command: step.check.run, output: clean(check.output), exitCode: check.exitCode } });
    const ok = check.exitCode === 0;
    if (!ok) failed = true;
    console.log(`${ok ? '✓' : '✗'} ${id} / ${step.id}`);
  }
  await rt.teardown();
  writeFileSync(labRecordingPath(root, id), JSON.stringify(recording, null, 2) + '\n');
  console.log(`wrote ${labRecordingPath(root, id)}`);
}
await service.close();
process.exit(failed ? 1 : 0);
