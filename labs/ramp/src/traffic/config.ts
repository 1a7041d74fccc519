// traffic.yaml: which versions of one model answer, with which weights, sticky by which field,
// and which version shadows. Checked field by field; a bad file is refused with file and field.
import type { RampFs } from '../host.ts';
import { errCode, readText } from '../files.ts';
import { dirname, resolve } from '../path.ts';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { EXIT, RampError } from '../errors.ts';

const Route = z.strictObject({
  version: z.union([z.string().regex(/^[A-Za-z0-9._-]{1,64}$/), z.number().int().nonnegative()]).transform(String),
  model: z.string().min(1),
  weight: z.number().min(0).max(100),
  shadow: z.boolean().optional(),
});

const Traffic = z.looseObject({
  model: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'letters, digits, ".", "_" or "-"'),
  route_by: z.string().min(1).optional(),
  routes: z.array(Route).min(1),
});

export interface TrafficRoute {
  version: string;
  /** Absolute path of the model file. */
  model: string;
  weight: number;
  shadow: boolean;
}

export interface TrafficConfig {
  name: string;
  routeBy: string | null;
  routes: TrafficRoute[];
}

function bad(file: string, message: string): RampError {
  return new RampError(`${file}: ${message}`, { code: 'bad_traffic', exitCode: EXIT.USAGE, hint: 'See `ramp serve --help` for the traffic.yaml fields.' });
}

/** Parses and checks traffic.yaml (model paths are relative to the file; `cwd` resolves a relative `file`). */
export function parseTraffic(file: string, text: string, cwd = '/'): TrafficConfig {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) throw bad(file, `not valid YAML: ${doc.errors[0]!.message}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    throw bad(file, `refused: ${(e as Error).message}`);
  }
  const parsed = Traffic.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw bad(file, `${issue.path.length ? issue.path.map(String).join('.') : '(top level)'}: ${issue.message}`);
  }
  const t = parsed.data;
  const seen = new Set<string>();
  t.routes.forEach((r, i) => {
    if (seen.has(r.version)) throw bad(file, `routes.${i}.version: version ${r.version} is listed twice`);
    seen.add(r.version);
    if (r.shadow && r.weight !== 0) throw bad(file, `routes.${i}.weight: a shadow version takes a copy of traffic and must have weight 0, not ${r.weight}`);
  });
  const shadows = t.routes.filter((r) => r.shadow);
  if (shadows.length > 1) throw bad(file, `routes: ${shadows.length} shadow versions; at most one`);
  const sum = t.routes.reduce((s, r) => s + r.weight, 0);
  if (Math.abs(sum - 100) > 1e-9) throw bad(file, `routes: the weights add up to ${sum}, not 100`);
  const base = dirname(resolve(cwd, file));
  return { name: t.model, routeBy: t.route_by ?? null, routes: t.routes.map((r) => ({ version: r.version, model: resolve(base, r.model), weight: r.weight, shadow: !!r.shadow })) };
}

export function readTraffic(fs: RampFs, cwd: string, file: string): TrafficConfig {
  let text: string;
  try {
    if (fs.stat(file).size > 1 << 20) throw bad(file, 'larger than 1 MiB');
    text = readText(fs, file);
  } catch (e) {
    if (e instanceof RampError) throw e;
    throw new RampError(`cannot read ${file}: ${errCode(e)}`, { code: 'not_found', hint: 'Pass the path of traffic.yaml with --traffic.' });
  }
  return parseTraffic(file, text, cwd);
}

/** FNV-1a (32-bit) of the routing key → a bucket in [0, 10000): the same key, the same bucket. */
export function bucketOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Mix the bits so nearby keys (c000001, c000002) spread across buckets.
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b) >>> 0; h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35) >>> 0; h ^= h >>> 16;
  return (h >>> 0) % 10000;
}

/** The version a bucket falls in: routes in file order, each taking its weight's share of [0, 100). */
export function pickVersion(routes: TrafficRoute[], bucket: number): TrafficRoute {
  let edge = 0;
  const at = bucket / 100;
  let last: TrafficRoute | null = null;
  for (const r of routes) {
    if (r.shadow || r.weight === 0) continue;
    edge += r.weight;
    last = r;
    if (at < edge) return r;
  }
  return last!;
}
