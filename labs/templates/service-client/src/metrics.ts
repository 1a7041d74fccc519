// Client-side metrics: what the service should export next to its own. A fallback rate that climbs
// is the earliest sign the model is in trouble, often before its owners notice.
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export class ClientMetrics {
  /** predict() calls, and how they ended. */
  calls = 0;
  successes = 0;
  fallbacks = 0;
  /** 4xx answers: a bug in the request, thrown to the caller, never retried. */
  badRequests = 0;
  /** HTTP attempts made, and the retries among them. */
  attempts = 0;
  retries = 0;
  /** Attempts cut by the per-attempt timeout; calls cut by the budget. */
  attemptTimeouts = 0;
  budgetTimeouts = 0;
  connectionErrors = 0;
  /** Waits that were lengthened to honour a Retry-After header. */
  retryAfterHonoured = 0;
  breakerState: BreakerState = 'closed';
  breakerOpened = 0;
  breakerHalfOpened = 0;
  /** Calls answered by the fallback at once because the breaker was open. */
  shortCircuited = 0;
  /** Error statuses seen, and fallbacks by reason. */
  statuses: Record<string, number> = {};
  fallbackReasons: Record<string, number> = {};

  fallback(reason: string): void {
    this.fallbacks++;
    this.fallbackReasons[reason] = (this.fallbackReasons[reason] ?? 0) + 1;
    if (reason === 'breaker_open') this.shortCircuited++;
  }

  status(code: number): void {
    this.statuses[code] = (this.statuses[code] ?? 0) + 1;
  }

  /** Prometheus text, to append to your service's /metrics. */
  toPrometheus(prefix = 'model_client'): string {
    const counters: Array<[string, number]> = [
      ['calls', this.calls], ['successes', this.successes], ['fallbacks', this.fallbacks], ['bad_requests', this.badRequests],
      ['attempts', this.attempts], ['retries', this.retries], ['attempt_timeouts', this.attemptTimeouts], ['budget_timeouts', this.budgetTimeouts],
      ['connection_errors', this.connectionErrors], ['retry_after_honoured', this.retryAfterHonoured], ['breaker_opened', this.breakerOpened],
      ['breaker_half_opened', this.breakerHalfOpened], ['short_circuited', this.shortCircuited],
    ];
    const lines = counters.flatMap(([k, v]) => [`# TYPE ${prefix}_${k}_total counter`, `${prefix}_${k}_total ${v}`]);
    lines.push(`# TYPE ${prefix}_fallbacks_by_reason_total counter`, ...Object.entries(this.fallbackReasons).map(([r, v]) => `${prefix}_fallbacks_by_reason_total{reason="${r}"} ${v}`));
    lines.push(`# TYPE ${prefix}_error_status_total counter`, ...Object.entries(this.statuses).map(([s, v]) => `${prefix}_error_status_total{status="${s}"} ${v}`));
    lines.push(`# TYPE ${prefix}_breaker_state gauge`, ...(['closed', 'open', 'half-open', 'isolated'] as const).map((s) => `${prefix}_breaker_state{state="${s}"} ${this.breakerState === s ? 1 : 0}`));
    return `${lines.join('\n')}\n`;
  }
}
