// Project templates for `ramp init`. The bundle embeds them at build time
// (esbuild `define` of __RAMP_TEMPLATES__); from source they are read from
// labs/templates/ next to labs/ramp.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

declare const __RAMP_TEMPLATES__: Record<string, Record<string, string>> | undefined;

export type Templates = Record<string, Record<string, string>>;

export function readTemplatesDir(dir: string): Templates {
  const out: Templates = {};
  for (const t of readdirSync(dir).sort()) {
    const tdir = join(dir, t);
    if (!statSync(tdir).isDirectory()) continue;
    const files: Record<string, string> = {};
    const walk = (d: string, prefix: string): void => {
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

export function loadTemplates(): Templates {
  if (typeof __RAMP_TEMPLATES__ !== 'undefined') return __RAMP_TEMPLATES__;
  return readTemplatesDir(fileURLToPath(new URL('../../templates/', import.meta.url)));
}

export function fillTemplate(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (m, k: string) => (k in vars ? vars[k]! : m));
}
