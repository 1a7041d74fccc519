// Starts `ramp serve` on the pinned model, with the fault layer on and no fault yet, so each test
// sets the faults it practises against through /admin/faults. Offline: nothing leaves the machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { MODEL_NAME } from '../src/model.ts';

/** The model file the tests serve: MODEL_FILE, or the one `ramp init` was given. */
export const MODEL_FILE = process.env.MODEL_FILE ?? '{{model_file}}';
/** The ramp CLI: RAMP (a command, or a path to ramp.mjs), else `ramp` on PATH. */
const RAMP = process.env.RAMP ?? 'ramp';

export interface RampServer {
  url: string;
  /** Replaces the faults (SPECs as for `ramp serve --fault`; "none" for none). */
  setFaults(spec: string): Promise<void>;
  /** What the server injected, by `route="…",fault="…"`. */
  injected(): Promise<Record<string, number>>;
  close(): void;
}

export async function startRamp(): Promise<RampServer> {
  const args = ['serve', MODEL_FILE, '--name', MODEL_NAME, '--port', '0', '--json', '--fault', 'none'];
  const proc: ChildProcess = /\.m?js$/.test(RAMP) ? spawn(process.execPath, [RAMP, ...args]) : spawn(RAMP, args);
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n').slice(0, -1)) if (line.includes('"listening"')) resolve(JSON.parse(line).url);
    });
    proc.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`ramp serve exited with ${code}`)));
  });
  const admin = `${url}/admin/faults`;
  return {
    url,
    async setFaults(spec) {
      const res = await fetch(admin, { method: 'PUT', body: spec });
      if (!res.ok) throw new Error(`ramp refused the faults: ${await res.text()}`);
    },
    async injected() {
      return ((await (await fetch(admin)).json()) as { injected: Record<string, number> }).injected;
    },
    close: () => void proc.kill(),
  };
}
