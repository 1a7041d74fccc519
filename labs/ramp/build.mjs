// Bundle labs/ramp/src/cli.ts into ONE self-contained ESM file, labs/ramp/dist/ramp.mjs.
// Usage: node labs/ramp/build.mjs   (or import { buildRamp } from this file)
import { chmodSync, mkdirSync, renameSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const RAMP_SRC = join(here, 'src');
export const RAMP_TEMPLATES = join(here, '..', 'templates');
export const RAMP_OUT = join(here, 'dist', 'ramp.mjs');

export function readTemplates(dir) {
  const out = {};
  for (const t of readdirSync(dir).sort()) {
    const tdir = join(dir, t);
    if (!statSync(tdir).isDirectory()) continue;
    const files = {};
    const walk = (d, prefix) => {
      for (const f of readdirSync(d).sort()) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p, `${prefix}${f}/`);
        else files[`${prefix}${f}`] = readFileSync(p, 'utf8');
      }
    };
    walk(tdir, '');
    out[t] = files;
  }
  return out;
}

/** What ramp's sources expect compiled in: the `ramp init` templates and the house conventions. */
export function rampDefines() {
  return {
    __RAMP_TEMPLATES__: JSON.stringify(readTemplates(RAMP_TEMPLATES)),
    // The platform team's house rules, enforced by `ramp pipeline check`.
    __RAMP_CONVENTIONS__: JSON.stringify(readFileSync(join(RAMP_TEMPLATES, 'conventions.yaml'), 'utf8')),
  };
}

/**
 * `yaml`'s Node entry is CommonJS that requires "process", which an ESM bundle cannot do; its
 * browser entry is the same parser as plain ES modules, and also runs in a browser tab.
 */
export const yamlEsm = {
  name: 'yaml-esm',
  setup(build) {
    build.onResolve({ filter: /^yaml$/ }, (args) => ({ path: join(dirname(fileURLToPath(import.meta.resolve('yaml'))), '..', 'browser', 'index.js') }));
  },
};

/** Build dist/ramp.mjs. Writes to a temp file and renames, so concurrent builds are safe. */
export async function buildRamp({ outfile = RAMP_OUT, minify = false, quiet = true } = {}) {
  const esbuild = await import('esbuild');
  mkdirSync(dirname(outfile), { recursive: true });
  const tmp = `${outfile}.${process.pid}.${Date.now()}.tmp`;
  const result = await esbuild.build({
    entryPoints: [join(RAMP_SRC, 'cli.ts')],
    outfile: tmp,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify,
    legalComments: 'none',
    banner: { js: '#!/usr/bin/env node' },
    define: rampDefines(),
    logLevel: quiet ? 'warning' : 'info',
    plugins: [yamlEsm],
  });
  chmodSync(tmp, 0o755);
  renameSync(tmp, outfile);
  return { outfile, warnings: result.warnings };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { outfile } = await buildRamp({ quiet: false });
  console.log(`built ${outfile}`);
}
