#!/usr/bin/env node
// `ramp` entry point: runs labs/ramp/dist/ramp.mjs, (re)building it with esbuild
// first when it is missing or older than any file in labs/ramp/src or labs/templates.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist', 'ramp.mjs');

function newest(dir) {
  let t = 0;
  let entries;
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return 0; }
  for (const e of entries) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

let built = 0;
try { built = statSync(dist).mtimeMs; } catch { built = 0; }
const srcTime = Math.max(newest(join(root, 'src')), newest(join(root, '..', 'templates')));
if (!built || (srcTime && srcTime > built)) {
  try {
    const { buildRamp } = await import(pathToFileURL(join(root, 'build.mjs')).href);
    await buildRamp();
  } catch (e) {
    if (!built) {
      process.stderr.write(`error: ramp is not built and building it failed: ${e?.message ?? e}\nhint: run \`npm install\` (esbuild is needed), then \`node labs/ramp/build.mjs\`.\n`);
      process.exit(1);
    }
    // stale but present: fall through and run the existing bundle
  }
}
await import(pathToFileURL(dist).href);
