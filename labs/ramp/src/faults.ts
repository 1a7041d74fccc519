// `ramp serve --fault SPEC`: injected latency, errors, dropped connections and slow bodies, so an app
// developer can watch a client hold its budget. Off unless asked for: without --fault the server's
// request listener is the plain one (serve.ts), and nothing here runs.
//
// SPEC is comma-separated key=value pairs; --fault may be repeated, one SPEC per route:
//   route=infer|all|v2_infer|v1_predict|v2_model_metadata|…   which requests (default: infer)
//   latency=200ms             added delay (fixed, or the median when latency-p99 is given)
//   latency-p50=50ms          median of a log-normal delay (same as latency= with latency-p99)
//   latency-p99=2s            99th percentile of that delay (capped at 10 × p99)
//   error-rate=0.2            fraction answered with an error instead of the model's answer
//   status=503                the error's status: 500, 502, 503, 504 or 429 (default 503)
//   retry-after=1             Retry-After seconds on those errors (default 1 for 429, none otherwise)
//   drop-rate=0.05            fraction whose connection is closed without an answer
//   slow-body=2s              the answer's body trickles out over this long
//   slow-body-rate=0.5        fraction with a slow body (default 1 when slow-body is set)
//   seed=42                   a seeded random generator: the same requests get the same faults
// A request draws one number: below drop-rate it is dropped, below drop-rate + error-rate it gets
// the error, otherwise the model answers. Latency applies before any of these.
import { UsageError } from './errors.ts';

export const ROUTES = ['v2_infer', 'v1_predict', 'v2_model_metadata', 'v2_model_ready', 'v1_model_ready', 'v2_health_live', 'v2_health_ready', 'v2_metadata', 'v1_models', 'page'] as const;
const ALIASES: Record<string, readonly string[]> = { infer: ['v2_infer', 'v1_predict'], all: ROUTES };
const STATUSES = [429, 500, 502, 503, 504];
const KEYS = ['route', 'latency', 'latency-p50', 'latency-p99', 'error-rate', 'status', 'retry-after', 'drop-rate', 'slow-body', 'slow-body-rate', 'seed'];
/** The admin route: GET the rules, PUT new ones (one SPEC a line), DELETE them all. */
export const FAULTS_PATH = '/admin/faults';

export interface FaultRule {
  spec: string;
  route: string;
  routes: readonly string[];
  /** Fixed delay, or the median of the distribution when p99Ms is set (ms). */
  latencyMs: number;
  p99Ms: number | null;
  errorRate: number;
  status: number;
  retryAfter: number | null;
  dropRate: number;
  slowBodyMs: number;
  slowBodyRate: number;
  seed: number | null;
}

const bad = (spec: string, msg: string, hint: string): UsageError => new UsageError(`--fault ${JSON.stringify(spec)}: ${msg}`, hint);

/** "200ms", "2s", "1.5s", "500us" → milliseconds. */
export function parseDuration(v: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s|m)$/.exec(v.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

function durationOf(spec: string, key: string, v: string): number {
  const ms = parseDuration(v);
  if (ms === null) throw bad(spec, `${key}=${v} is not a duration`, `Write it with a unit: ${key}=200ms or ${key}=2s.`);
  if (ms > 600_000) throw bad(spec, `${key}=${v} is longer than 10 minutes`, 'Faults are for practice; use at most 10m.');
  return ms;
}

function rateOf(spec: string, key: string, v: string): number {
  const n = /^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(v) ? Number(v) : NaN;
  if (Number.isNaN(n)) throw bad(spec, `${key}=${v} is not a fraction between 0 and 1`, `For one request in five: ${key}=0.2.`);
  return n;
}

function pairsOf(spec: string): Map<string, string> {
  const kv = new Map<string, string>();
  for (const part of spec.split(',')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq <= 0) throw bad(spec, `"${p}" is not key=value`, 'Example: --fault latency=200ms,error-rate=0.2,status=503');
    const key = p.slice(0, eq).trim().toLowerCase();
    if (!KEYS.includes(key)) throw bad(spec, `unknown key "${key}"`, `Keys: ${KEYS.join(', ')}.`);
    if (kv.has(key)) throw bad(spec, `"${key}" is given twice`, 'Give each key once per SPEC.');
    kv.set(key, p.slice(eq + 1).trim());
  }
  if (kv.size === 0) throw bad(spec, 'it is empty', 'Example: --fault latency=200ms,error-rate=0.2,status=503');
  return kv;
}

function routesOf(spec: string, v: string): readonly string[] {
  const r = ALIASES[v] ?? ((ROUTES as readonly string[]).includes(v) ? [v] : null);
  if (!r) throw bad(spec, `unknown route "${v}"`, `Routes: infer (v2_infer and v1_predict, the default), all, ${ROUTES.join(', ')}. /metrics and ${FAULTS_PATH} are never faulted.`);
  return r;
}

/** The median and p99 of the delay; the p99 must be above the median. */
function latencyOf(spec: string, kv: Map<string, string>): { latencyMs: number; p99Ms: number | null } {
  if (kv.has('latency') && kv.has('latency-p50')) throw bad(spec, 'latency and latency-p50 are both given', 'With latency-p99, latency= is the median; give one of them.');
  const med = kv.get('latency') ?? kv.get('latency-p50');
  const latencyMs = med === undefined ? 0 : durationOf(spec, kv.has('latency') ? 'latency' : 'latency-p50', med);
  const p99 = kv.get('latency-p99');
  if (p99 === undefined) {
    if (kv.has('latency-p50')) throw bad(spec, 'latency-p50 needs latency-p99', 'Give both (latency-p50=50ms,latency-p99=2s), or a fixed latency=50ms.');
    return { latencyMs, p99Ms: null };
  }
  const p99Ms = durationOf(spec, 'latency-p99', p99);
  if (med === undefined) throw bad(spec, 'latency-p99 needs a median', 'Add latency-p50 (or latency), e.g. latency-p50=50ms,latency-p99=2s.');
  if (!(p99Ms > latencyMs) || latencyMs <= 0) throw bad(spec, `latency-p99 (${p99}) must be above a median above zero (${med})`, 'For a long tail: latency-p50=50ms,latency-p99=2s.');
  return { latencyMs, p99Ms };
}

function statusOf(spec: string, kv: Map<string, string>): { status: number; retryAfter: number | null } {
  const sv = kv.get('status');
  const status = sv === undefined ? 503 : Number(sv);
  if (!STATUSES.includes(status)) throw bad(spec, `status=${sv} is not a status ramp injects`, `Use one of ${STATUSES.join(', ')}.`);
  if (sv !== undefined && !kv.has('error-rate')) throw bad(spec, 'status is given without error-rate', 'Add error-rate, e.g. error-rate=0.2,status=503.');
  const rv = kv.get('retry-after');
  if (rv === undefined) return { status, retryAfter: status === 429 ? 1 : null };
  if (!/^\d{1,4}$/.test(rv)) throw bad(spec, `retry-after=${rv} is not a whole number of seconds`, 'Example: retry-after=1.');
  if (status !== 429 && status !== 503) throw bad(spec, `retry-after goes with status 429 or 503, not ${status}`, 'HTTP sends Retry-After with 429 and 503.');
  return { status, retryAfter: Number(rv) };
}

/** One SPEC → a rule, or a UsageError naming the key and how to write it. */
export function parseFaultSpec(spec: string): FaultRule {
  const kv = pairsOf(spec);
  const route = kv.get('route') ?? 'infer';
  const routes = routesOf(spec, route);
  const { latencyMs, p99Ms } = latencyOf(spec, kv);
  const errorRate = kv.has('error-rate') ? rateOf(spec, 'error-rate', kv.get('error-rate')!) : 0;
  const dropRate = kv.has('drop-rate') ? rateOf(spec, 'drop-rate', kv.get('drop-rate')!) : 0;
  if (errorRate + dropRate > 1) throw bad(spec, `error-rate + drop-rate is ${errorRate + dropRate}, more than every request`, 'Their sum must be at most 1.');
  const { status, retryAfter } = statusOf(spec, kv);
  const slowBodyMs = kv.has('slow-body') ? durationOf(spec, 'slow-body', kv.get('slow-body')!) : 0;
  if (kv.has('slow-body-rate') && !kv.has('slow-body')) throw bad(spec, 'slow-body-rate is given without slow-body', 'Add slow-body, e.g. slow-body=2s,slow-body-rate=0.5.');
  const slowBodyRate = kv.has('slow-body-rate') ? rateOf(spec, 'slow-body-rate', kv.get('slow-body-rate')!) : slowBodyMs > 0 ? 1 : 0;
  const sv = kv.get('seed');
  if (sv !== undefined && !/^\d{1,10}$/.test(sv)) throw bad(spec, `seed=${sv} is not a whole number`, 'Example: seed=42.');
  return { spec: spec.trim(), route, routes, latencyMs, p99Ms, errorRate, status, retryAfter, dropRate, slowBodyMs, slowBodyRate, seed: sv === undefined ? null : Number(sv) };
}

/** Every SPEC (from repeated --fault, or lines of an admin PUT); "none" alone means no rule yet. */
export function parseFaults(specs: string[]): FaultRule[] {
  const list = specs.flatMap((s) => s.split('\n')).map((s) => s.trim()).filter((s) => s && !s.startsWith('#'));
  if (list.length === 1 && (list[0] === 'none' || list[0] === 'off')) return [];
  const rules = list.map(parseFaultSpec);
  const seen = new Map<string, string>();
  for (const r of rules) {
    for (const route of r.routes) {
      const other = seen.get(route);
      if (other !== undefined) throw new UsageError(`--fault: route ${route} is in two SPECs ("${other}" and "${r.spec}")`, 'Put every key for a route in one SPEC, e.g. --fault latency=200ms,error-rate=0.2.');
      seen.set(route, r.spec);
    }
  }
  return rules;
}

/** One line for people: "infer: latency 50ms (p99 2s), 20% 503, …". */
export function describeRule(r: FaultRule): string {
  const fmt = (ms: number): string => (ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`);
  const parts: string[] = [];
  if (r.latencyMs > 0) parts.push(r.p99Ms === null ? `+${fmt(r.latencyMs)}` : `+${fmt(r.latencyMs)} median, p99 ${fmt(r.p99Ms)}`);
  if (r.errorRate > 0) parts.push(`${+(r.errorRate * 100).toFixed(2)}% ${r.status}${r.retryAfter !== null ? ` (Retry-After: ${r.retryAfter})` : ''}`);
  if (r.dropRate > 0) parts.push(`${+(r.dropRate * 100).toFixed(2)}% dropped`);
  if (r.slowBodyMs > 0) parts.push(`${r.slowBodyRate < 1 ? `${+(r.slowBodyRate * 100).toFixed(2)}% ` : ''}slow body over ${fmt(r.slowBodyMs)}`);
  if (r.seed !== null) parts.push(`seed ${r.seed}`);
  return `${r.route}: ${parts.length ? parts.join(', ') : 'nothing'}`;
}

/** mulberry32: a tiny seeded generator, so a seeded SPEC gives the same faults run after run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** z of the 99th percentile of a standard normal. */
const Z99 = 2.3263478740408408;

/** The delay for one request: fixed, or log-normal with the rule's median and p99 (capped at 10 × p99). */
export function sampleLatency(r: FaultRule, rand: () => number): number {
  if (r.p99Ms === null) return r.latencyMs;
  const sigma = Math.log(r.p99Ms / r.latencyMs) / Z99;
  const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return Math.min(r.latencyMs * Math.exp(sigma * z), r.p99Ms * 10);
}

/** The route name serve.ts uses for a path (the same names as in /metrics). */
export function routeOf(path: string): string {
  if (path.startsWith('/v2/models/')) {
    const tail = path.slice('/v2/models/'.length).replace(/^[^/]*/, '').replace(/^\/versions\/[^/]+/, '');
    return tail === '/infer' ? 'v2_infer' : tail === '/ready' ? 'v2_model_ready' : tail === '' ? 'v2_model_metadata' : 'unknown';
  }
  if (path.startsWith('/v1/models/')) return path.endsWith(':predict') ? 'v1_predict' : path.includes(':') ? 'unknown' : 'v1_model_ready';
  switch (path) {
    case '/v2/health/live': return 'v2_health_live';
    case '/v2/health/ready': return 'v2_health_ready';
    case '/v2': case '/v2/': return 'v2_metadata';
    case '/v1/models': return 'v1_models';
    case '/': case '/index.html': return 'page';
    default: return 'unknown';
  }
}
