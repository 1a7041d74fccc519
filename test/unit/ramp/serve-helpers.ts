// Starting `ramp serve` for tests: the real bin on port 0, its JSON events read from stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { BIN, MODELS, ROOT } from './helpers.ts';

export interface Srv { proc: ChildProcess; base: string; out: string[]; exit: Promise<number | null> }

export async function start(model: string, extra: string[] = []): Promise<Srv> {
  const proc = spawn(process.execPath, [BIN, 'serve', model.startsWith('/') ? model : join(MODELS, model), '--port', '0', '--json', ...extra], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  const out: string[] = [];
  const exit = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
  const base = await new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        out.push(l);
        const j = JSON.parse(l);
        if (j.event === 'listening') resolve(j.url);
      }
    });
    proc.on('exit', (c) => reject(new Error(`exited ${c}`)));
    setTimeout(() => reject(new Error('timeout')), 15_000);
  });
  return { proc, base, out, exit };
}

export const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

