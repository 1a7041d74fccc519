// What `ramp serve` counts (Prometheus text at /metrics), and how every answer is made and counted.
import type { RampResponse } from './host.ts';
import { InputError, RampError } from './errors.ts';

const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class Metrics {
  requests = new Map<string, number>();
  errors = new Map<string, number>();
  hist = new Map<string, { counts: number[]; sum: number; count: number }>();
  rows = 0;
  inflight = 0;
  observe(route: string, method: string, status: number, seconds: number): void {
    const key = `route="${route}",method="${method}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    if (status >= 400) {
      const ek = `route="${route}",status="${status}"`;
      this.errors.set(ek, (this.errors.get(ek) ?? 0) + 1);
    }
    let h = this.hist.get(route);
    if (!h) { h = { counts: new Array(BUCKETS.length).fill(0), sum: 0, count: 0 }; this.hist.set(route, h); }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) { h.counts[i] = h.counts[i]! + 1; break; }
    h.sum += seconds;
    h.count++;
  }
  render(model: string, estimator: string, sklearn: string | null): string {
    const l: string[] = [];
    l.push('# HELP ramp_http_requests_total HTTP requests by route, method and status code.', '# TYPE ramp_http_requests_total counter');
    for (const [k, v] of this.requests) l.push(`ramp_http_requests_total{${k}} ${v}`);
    l.push('# HELP ramp_http_request_errors_total HTTP requests answered with a 4xx or 5xx status.', '# TYPE ramp_http_request_errors_total counter');
    for (const [k, v] of this.errors) l.push(`ramp_http_request_errors_total{${k}} ${v}`);
    l.push('# HELP ramp_http_request_duration_seconds Time to answer a request.', '# TYPE ramp_http_request_duration_seconds histogram');
    for (const [route, h] of this.hist) {
      let cum = 0;
      for (let i = 0; i < BUCKETS.length; i++) {
        cum += h.counts[i]!;
        l.push(`ramp_http_request_duration_seconds_bucket{route="${route}",le="${BUCKETS[i]}"} ${cum}`);
      }
      l.push(`ramp_http_request_duration_seconds_bucket{route="${route}",le="+Inf"} ${h.count}`);
      l.push(`ramp_http_request_duration_seconds_sum{route="${route}"} ${h.sum}`);
      l.push(`ramp_http_request_duration_seconds_count{route="${route}"} ${h.count}`);
    }
    l.push('# HELP ramp_inference_rows_total Rows predicted.', '# TYPE ramp_inference_rows_total counter', `ramp_inference_rows_total{model="${esc(model)}"} ${this.rows}`);
    l.push('# HELP ramp_http_requests_in_flight Requests being handled.', '# TYPE ramp_http_requests_in_flight gauge', `ramp_http_requests_in_flight ${this.inflight}`);
    l.push('# HELP ramp_model_info The served model.', '# TYPE ramp_model_info gauge', `ramp_model_info{model="${esc(model)}",estimator="${esc(estimator)}",sklearn_version="${esc(sklearn ?? 'unknown')}"} 1`);
    return l.join('\n') + '\n';
  }
}

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export const JSON_TYPE = 'application/json';

/** Every answer of the server goes through here, so each is counted once, by route and status. */
export class Answers {
  readonly metrics: Metrics;
  constructor(metrics: Metrics) {
    this.metrics = metrics;
  }

  send(route: string, method: string, status: number, type: string, body: Uint8Array | string, t0: number, extra?: Record<string, string>): RampResponse {
    const headers: Record<string, string> = { 'content-type': type };
    if (extra) Object.assign(headers, extra);
    this.metrics.observe(route, method, status, (performance.now() - t0) / 1000);
    return { status, headers, body };
  }

  error(route: string, method: string, status: number, message: string, t0: number, extra?: Record<string, string>): RampResponse {
    return this.send(route, method, status, JSON_TYPE, JSON.stringify({ error: message }), t0, extra);
  }

  /** A request's own fault (bad input) is a 400; anything else is ramp's, a 500. */
  fail(route: string, method: string, e: unknown, t0: number): RampResponse {
    if (e instanceof InputError || e instanceof RampError) return this.error(route, method, 400, e.message, t0);
    return this.error(route, method, 500, `internal error: ${(e as Error)?.message ?? String(e)}`, t0);
  }

  methodNotAllowed(route: string, method: string, allow: string, t0: number): RampResponse {
    return this.error(route, method, 405, `method ${method} not allowed; use ${allow}`, t0, { allow });
  }
}
