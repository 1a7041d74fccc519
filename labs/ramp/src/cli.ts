// ramp on Node: inspect, scan, predict and serve scikit-learn models — no Python. A thin adapter:
// this process as a RampIO (node-host.ts), handed to the host-agnostic core (core.ts).
import { run } from './core.ts';
import { nodeIo } from './node-host.ts';

export { VERSION } from './core.ts';

declare const __RAMP_CONVENTIONS__: string | undefined;

/** Run from source (not the bundle): compile in what build.mjs would, from labs/templates/. */
async function sourceDefines(): Promise<void> {
  if (typeof __RAMP_CONVENTIONS__ !== 'undefined') return;
  const build = new URL('../build.mjs', import.meta.url).href;
  const { rampDefines } = (await import(build)) as { rampDefines(): Record<string, string> };
  for (const [k, v] of Object.entries(rampDefines())) (globalThis as Record<string, unknown>)[k] = JSON.parse(v);
}

export async function main(argv: string[]): Promise<number> {
  await sourceDefines();
  return run(argv, nodeIo());
}

const isMain = (() => {
  try {
    return typeof process !== 'undefined' && Array.isArray(process.argv) && !!process.argv[1] && !process.env.RAMP_NO_AUTORUN;
  } catch {
    return false;
  }
})();

if (isMain) {
  void main(process.argv.slice(2)).then((code) => {
    // flush stdout, then exit even if handles linger
    process.stdout.write('', () => process.exit(code));
  });
}
