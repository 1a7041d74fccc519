// The fault layer of `ramp serve --fault`: wraps the server's request handler, applies the rule of
// the request's route (faults.ts), counts what it injected for /metrics, and serves the admin
// route that changes the rules while the server runs. Only built when --fault is given.
import { DropConnection, type RampHandler, type RampRequest, type RampResponse } from './host.ts';
import { RampError } from './errors.ts';
import { describeRule, FAULTS_PATH, parseFaults, routeOf, sampleLatency, seededRandom, type FaultRule } from './faults.ts';

/** What /metrics says when the server runs without --fault. */
export const FAULTS_OFF_METRICS = '# HELP ramp_faults_enabled 1 when ramp serve runs with --fault and may inject faults.\n# TYPE ramp_faults_enabled gauge\nramp_faults_enabled 0\n';

const REASONS: Record<number, string> = { 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
const MAX_ADMIN_BODY = 64 * 1024;

interface Active {
  rule: FaultRule;
  rand: () => number;
}

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class FaultInjector {
  rules: FaultRule[] = [];
  private byRoute = new Map<string, Active>();
  /** `route="…",fault="…"` → count. */
  private injected = new Map<string, number>();
  private delaySeconds = 0;

  constructor(rules: FaultRule[]) {
    this.setRules(rules);
  }

  /** Replaces the rules; a seeded rule starts its sequence again. */
  setRules(rules: FaultRule[]): void {
    this.rules = rules;
    this.byRoute.clear();
    for (const rule of rules) {
      const active = { rule, rand: rule.seed === null ? Math.random : seededRandom(rule.seed) };
      for (const r of rule.routes) this.byRoute.set(r, active);
    }
  }

  private count(route: string, fault: string): void {
    const k = `route="${route}",fault="${fault}"`;
    this.injected.set(k, (this.injected.get(k) ?? 0) + 1);
  }

  /** The handler with faults: admin route, then the rule of the route, then `next`. */
  wrap(next: RampHandler): RampHandler {
    return async (req) => {
      const url = req.url || '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      if (path === FAULTS_PATH) return this.admin(req);
      if (this.byRoute.size === 0) return next(req);
      const route = routeOf(path);
      const active = this.byRoute.get(route);
      if (!active) return next(req);
      return this.apply(active, route, req, next);
    };
  }

  private async apply({ rule, rand }: Active, route: string, req: RampRequest, next: RampHandler): Promise<RampResponse> {
    // Always the same draws in the same order, so a seeded rule is reproducible.
    const u = rule.errorRate + rule.dropRate > 0 ? rand() : 1;
    const slow = rule.slowBodyRate > 0 && (rule.slowBodyRate >= 1 || rand() < rule.slowBodyRate);
    const delay = rule.latencyMs > 0 ? sampleLatency(rule, rand) : 0;
    if (delay > 0) {
      this.count(route, 'latency');
      this.delaySeconds += delay / 1000;
      await new Promise((r) => setTimeout(r, delay));
    }
    if (u < rule.dropRate) {
      this.count(route, 'drop');
      throw new DropConnection();
    }
    if (u < rule.dropRate + rule.errorRate) {
      this.count(route, `error_${rule.status}`);
      return this.errorResponse(rule);
    }
    if (!slow) return next(req);
    this.count(route, 'slow_body');
    return { ...(await next(req)), trickleMs: rule.slowBodyMs };
  }

  private errorResponse(rule: FaultRule): RampResponse {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-ramp-fault': 'error' };
    if (rule.retryAfter !== null) headers['retry-after'] = String(rule.retryAfter);
    return { status: rule.status, headers, body: JSON.stringify({ error: `injected fault: ${rule.status} ${REASONS[rule.status]} (ramp serve --fault ${rule.spec})` }) };
  }

  /** Prometheus lines: enabled, the rules in force, and what was injected. */
  render(): string {
    const l = [
      '# HELP ramp_faults_enabled 1 when ramp serve runs with --fault and may inject faults.', '# TYPE ramp_faults_enabled gauge', 'ramp_faults_enabled 1',
      '# HELP ramp_fault_rule_info The fault rules in force, one per SPEC.', '# TYPE ramp_fault_rule_info gauge',
      ...this.rules.map((r) => `ramp_fault_rule_info{route="${esc(r.route)}",spec="${esc(r.spec)}"} 1`),
      '# HELP ramp_faults_injected_total Faults injected, by route and kind (latency, error_<status>, drop, slow_body).', '# TYPE ramp_faults_injected_total counter',
      ...[...this.injected].map(([k, v]) => `ramp_faults_injected_total{${k}} ${v}`),
      '# HELP ramp_fault_delay_seconds_total Injected delay, summed.', '# TYPE ramp_fault_delay_seconds_total counter', `ramp_fault_delay_seconds_total ${this.delaySeconds}`,
    ];
    return l.join('\n') + '\n';
  }

  /** The rules as JSON (the admin route's answer). */
  state(): Record<string, unknown> {
    return { enabled: true, rules: this.rules.map((r) => ({ spec: r.spec, route: r.route, description: describeRule(r) })), injected: Object.fromEntries(this.injected) };
  }

  private reply(status: number, body: unknown, extra: Record<string, string> = {}): RampResponse {
    return { status, headers: { 'content-type': 'application/json', ...extra }, body: JSON.stringify(body) };
  }

  /** GET the rules; PUT or POST new ones (SPECs one a line, or {"faults": [SPEC, …]}); DELETE clears them. */
  private admin(req: RampRequest): RampResponse {
    const method = req.method || 'GET';
    if (method === 'GET') return this.reply(200, this.state());
    if (method === 'DELETE') { this.setRules([]); return this.reply(200, this.state()); }
    if (method !== 'PUT' && method !== 'POST') return this.reply(405, { error: `method ${method} not allowed; use GET, PUT, POST or DELETE` }, { allow: 'GET, PUT, POST, DELETE' });
    if (req.body.length > MAX_ADMIN_BODY) return this.reply(413, { error: `body over ${MAX_ADMIN_BODY} bytes` });
    try {
      this.setRules(parseFaults(specsOf(new TextDecoder().decode(req.body))));
      return this.reply(200, this.state());
    } catch (e) {
      const err = e as RampError;
      return this.reply(400, { error: err.message, hint: err.hint ?? '' });
    }
  }
}

function specsOf(text: string): string[] {
  const t = text.trim();
  if (!t.startsWith('{')) return [t || 'none'];
  let j: unknown;
  try {
    j = JSON.parse(t);
  } catch (e) {
    throw new RampError(`invalid JSON: ${(e as Error).message}`, { hint: 'Send SPECs one a line as text, or {"faults": ["latency=200ms"]}.' });
  }
  const f = (j as { faults?: unknown }).faults;
  if (!Array.isArray(f) || !f.every((s) => typeof s === 'string')) throw new RampError('"faults" must be a list of SPEC strings', { hint: 'Example: {"faults": ["latency=200ms,error-rate=0.2"]}.' });
  return f.length ? f : ['none'];
}

/** The injector for `--fault` (repeated values joined by newlines), or none without it. */
export function faultsFromFlag(value: string | true | undefined): FaultInjector | undefined {
  if (value === undefined) return undefined;
  return new FaultInjector(parseFaults(String(value).split('\n')));
}

/** What the banner says about faults (nothing when they are off). */
export function faultBanner(f: FaultInjector, url: string): string[] {
  const rules = f.rules.length ? f.rules.map((r) => `  ${describeRule(r)}`) : ['  none yet'];
  return [`FAULTS ON — this server injects faults on purpose:`, ...rules, `  change them while it runs: curl -X PUT --data 'latency=200ms' ${url}${FAULTS_PATH}`];
}
