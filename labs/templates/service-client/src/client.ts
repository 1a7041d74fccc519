// The resilient client: a budget for the whole call, a timeout per attempt, retries with jittered
// backoff for retryable failures only (Retry-After honoured), a circuit breaker, and a fallback
// marked degraded. Retries and the breaker are cockatiel's policies; the numbers are in config.ts.
//
// The two time limits share one timer per attempt: it fires at the attempt's timeout or when the
// budget runs out, whichever is first, and aborts fetch and the body read, which then fail at once.
// (Timeout policies for both, one inside the other, cost two timers, two abort controllers and
// their listeners on every call: about a tenth of a round trip on loopback, measured in
// bench/service-client.) The wait between attempts is cut to what the budget has left.
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, DelegateBackoff, circuitBreaker, handleWhen, retry, type IRetryBackoffContext } from 'cockatiel';
import { DEFAULT_CONFIG, type ClientConfig } from './config.ts';
import { fallback } from './fallback.ts';
import { ClientMetrics, type BreakerState } from './metrics.ts';
import { fromV2Response, MODEL_NAME, toV2Request, type Prediction, type Row } from './model.ts';

/** A prediction, or the fallback's answer marked degraded with the reason. */
export type Scored = Prediction & { degraded: boolean; reason: string | null };

/** A 4xx (but 408 and 429): the request is wrong and would be wrong again. Thrown, never retried. */
export class ModelRequestError extends Error {
  status: number;
  constructor(status: number, body: string) {
    super(`the model refused the request (${status}): ${body}`);
    this.status = status;
  }
}

/** Worth another attempt: a retryable status, a dropped connection, an attempt timed out. */
class RetryableError extends Error {
  reason: string;
  retryAfterMs: number | null;
  /** When the call's budget runs out: the wait before the next attempt never goes past it. */
  deadline: number;
  constructor(reason: string, deadline: number, retryAfterMs: number | null = null) {
    super(reason);
    this.reason = reason;
    this.deadline = deadline;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The model failing (a 5xx not worth retrying, a Retry-After past the budget, the budget spent): counted by the breaker. */
class ServerError extends Error {
  reason: string;
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

const STATES: Record<CircuitState, BreakerState> = { [CircuitState.Closed]: 'closed', [CircuitState.Open]: 'open', [CircuitState.HalfOpen]: 'half-open', [CircuitState.Isolated]: 'isolated' };

function retryAfterMs(h: string | null): number | null {
  if (h === null) return null;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(h);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

export interface ModelClient {
  /** Scores rows; never waits longer than the budget; answers the fallback (degraded) when the model cannot. */
  predict(rows: readonly Row[]): Promise<Scored[]>;
  metrics: ClientMetrics;
  config: Readonly<ClientConfig>;
}

export function createClient(overrides: Partial<ClientConfig> = {}): ModelClient {
  const config: ClientConfig = { ...DEFAULT_CONFIG, ...overrides };
  const metrics = new ClientMetrics();
  const inferUrl = `${config.url.replace(/\/+$/, '')}/v2/models/${encodeURIComponent(MODEL_NAME)}/infer`;

  // The budget ends budgetSafetyMs early, so the fallback is back in time.
  const budgetMs = Math.max(1, config.budgetMs - config.budgetSafetyMs);
  const isFailure = (e: Error): boolean => e instanceof RetryableError || e instanceof ServerError;
  const breaker = circuitBreaker(handleWhen(isFailure), { halfOpenAfter: config.breakerHalfOpenAfterMs, breaker: new ConsecutiveBreaker(config.breakerConsecutiveFailures) });
  breaker.onStateChange((s) => { metrics.breakerState = STATES[s]; });
  breaker.onBreak(() => void metrics.breakerOpened++);
  breaker.onHalfOpen(() => void metrics.breakerHalfOpened++);
  const backoff = new DelegateBackoff((ctx: IRetryBackoffContext<unknown>) => {
    const jitter = Math.random() * Math.min(config.backoffMaxMs, config.backoffInitialMs * 2 ** (ctx.attempt - 1));
    const err = 'error' in ctx.result ? ctx.result.error : undefined;
    const ra = err instanceof RetryableError ? (err.retryAfterMs ?? 0) : 0;
    if (ra > jitter) metrics.retryAfterHonoured++;
    // Never sleep past the budget: the attempt after a cut wait finds it spent and stops.
    const left = err instanceof RetryableError ? err.deadline - Date.now() : Infinity;
    return Math.max(0, Math.min(Math.max(jitter, ra), left));
  });
  // A BrokenCircuitError (breaker open) is not retried: the fallback answers at once.
  const retries = retry(handleWhen((e) => e instanceof RetryableError), { maxAttempts: config.maxAttempts - 1, backoff });
  retries.onRetry(() => void metrics.retries++);

  /** An attempt cut by a limit (its timer fired, or the budget was spent before it began): the budget ends the call; an attempt's own timeout is retried. */
  function cutError(byBudget: boolean, deadline: number): Error {
    if (byBudget) {
      metrics.budgetTimeouts++;
      return new ServerError('budget');
    }
    metrics.attemptTimeouts++;
    return new RetryableError('timeout', deadline);
  }

  /** One HTTP attempt, cut by its own timeout or by the budget, whichever comes first. */
  async function attempt(body: string, n: number, deadline: number): Promise<Prediction[]> {
    const left = deadline - Date.now();
    if (left <= 0) throw cutError(true, deadline);
    const byBudget = left <= config.attemptTimeoutMs;
    const aborter = new AbortController();
    const timer = setTimeout(() => aborter.abort(), byBudget ? left : config.attemptTimeoutMs);
    const signal = aborter.signal;
    metrics.attempts++;
    try {
      let res: Response;
      try {
        res = await fetch(inferUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal });
      } catch {
        if (signal.aborted) throw cutError(byBudget, deadline);
        metrics.connectionErrors++;
        throw new RetryableError('connection', deadline);
      }
      if (res.ok) {
        const answer = await res.json().catch((e: unknown) => {
          throw signal.aborted ? cutError(byBudget, deadline) : e;
        });
        return fromV2Response(answer, n);
      }
      const text = await res.text().catch(() => '');
      if (signal.aborted) throw cutError(byBudget, deadline);
      metrics.status(res.status);
      if (config.retryStatuses.includes(res.status)) {
        const ra = retryAfterMs(res.headers.get('retry-after'));
        // Asked to come back after the budget: honour it by not calling again now.
        if (ra !== null && Date.now() + ra >= deadline) throw new ServerError(`status_${res.status}_retry_after`);
        throw new RetryableError(`status_${res.status}`, deadline, ra);
      }
      if (res.status >= 500 || res.status === 408) throw new ServerError(`status_${res.status}`);
      throw new ModelRequestError(res.status, text);
    } finally {
      clearTimeout(timer);
    }
  }

  async function predict(rows: readonly Row[]): Promise<Scored[]> {
    metrics.calls++;
    const body = JSON.stringify(toV2Request(rows));
    const deadline = Date.now() + budgetMs;
    try {
      // Retries around the breaker: each attempt asks the breaker, so an open circuit stops the retries too.
      const preds = await retries.execute(() => breaker.execute(() => attempt(body, rows.length, deadline)));
      metrics.successes++;
      return preds.map((p) => ({ ...p, degraded: false, reason: null }));
    } catch (e) {
      if (e instanceof ModelRequestError) { metrics.badRequests++; throw e; }
      const reason = e instanceof BrokenCircuitError ? 'breaker_open'
        : e instanceof RetryableError || e instanceof ServerError ? e.reason
        : 'error';
      metrics.fallback(reason);
      return rows.map((r) => ({ ...fallback(r), degraded: true, reason }));
    }
  }

  return { predict, metrics, config };
}
