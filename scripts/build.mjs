// `npm run build`: bundle the ramp CLI for labs, then build the site with Astro (and Pagefind).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bin, buildStamp, root, run } from './lib.mjs';

export async function build() {
  const rampBuild = join(root, 'labs', 'ramp', 'build.mjs');
  if (existsSync(rampBuild)) {
    const { buildRamp } = await import(pathToFileURL(rampBuild).href);
    await buildRamp();
  }
  const code = await run(bin('astro'), ['build'], { env: { ASTRO_TELEMETRY_DISABLED: '1' } });
  if (code !== 0) return code;
  writeFileSync(buildStamp, new Date().toISOString() + '\n');
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exit(await build());
}
