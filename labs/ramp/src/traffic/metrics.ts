// Per-version counters for `ramp serve --traffic`: requests by role (routed, shadow, direct),
// errors and latency, the weights in force and the reloads of traffic.yaml.
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface Series { count: number; errors: number; sum: number; buckets: number[] }

export class TrafficMetrics {
  private series = new Map<string, Series>();
  reloads = { ok: 0, refused: 0 };
  inflight = 0;

  observe(version: string, role: string, status: number, seconds: number): void {
    const key = `version="${version}",role="${role}"`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { count: 0, errors: 0, sum: 0, buckets: new Array(BUCKETS.length).fill(0) }));
    s.count++;
    if (status >= 400) s.errors++;
    s.sum += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) { s.buckets[i]!++; break; }
  }

  render(model: string, weights: Array<{ version: string; weight: number; shadow: boolean }>): string {
    const m = `model="${model.replace(/["\\\n]/g, '_')}"`;
    const l: string[] = ['# HELP ramp_version_requests_total Inference requests per version; role is routed, shadow or direct.', '# TYPE ramp_version_requests_total counter'];
    for (const [k, s] of this.series) l.push(`ramp_version_requests_total{${m},${k}} ${s.count}`);
    l.push('# HELP ramp_version_request_errors_total Inference requests answered with a 4xx or 5xx, per version.', '# TYPE ramp_version_request_errors_total counter');
    for (const [k, s] of this.series) l.push(`ramp_version_request_errors_total{${m},${k}} ${s.errors}`);
    l.push('# HELP ramp_version_request_duration_seconds Time to answer, per version.', '# TYPE ramp_version_request_duration_seconds histogram');
    for (const [k, s] of this.series) {
      let cum = 0;
      s.buckets.forEach((c, i) => { cum += c; l.push(`ramp_version_request_duration_seconds_bucket{${m},${k},le="${BUCKETS[i]}"} ${cum}`); });
      l.push(`ramp_version_request_duration_seconds_bucket{${m},${k},le="+Inf"} ${s.count}`, `ramp_version_request_duration_seconds_sum{${m},${k}} ${s.sum}`, `ramp_version_request_duration_seconds_count{${m},${k}} ${s.count}`);
    }
    l.push('# HELP ramp_traffic_weight The weight of each version in traffic.yaml (percent).', '# TYPE ramp_traffic_weight gauge');
    for (const w of weights) l.push(`ramp_traffic_weight{${m},version="${w.version}",shadow="${w.shadow}"} ${w.weight}`);
    l.push('# HELP ramp_traffic_reloads_total Reloads of traffic.yaml, applied (ok) or refused.', '# TYPE ramp_traffic_reloads_total counter', `ramp_traffic_reloads_total{result="ok"} ${this.reloads.ok}`, `ramp_traffic_reloads_total{result="refused"} ${this.reloads.refused}`);
    l.push('# HELP ramp_http_requests_in_flight Requests being handled.', '# TYPE ramp_http_requests_in_flight gauge', `ramp_http_requests_in_flight ${this.inflight}`);
    return `${l.join('\n')}\n`;
  }
}
