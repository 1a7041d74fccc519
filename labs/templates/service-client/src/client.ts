// The resilient client: a budget for the whole call, a timeout per attempt, retries with jittered
// backoff for retryable failures only (Retry-After honoured), a circuit breaker, and a fallback
// marked degraded. The policies are cockatiel's; the numbers are in config.ts.
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, DelegateBackoff, TaskCancelledError, TimeoutStrategy, circuitBreaker, handleWhen, retry, timeout, wrap, type IRetryBackoffContext } from 'cockatiel';
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

/** Worth another attempt: a retryable status, a dropped connection. */
class RetryableError extends Error {
  reason: string;
  retryAfterMs: number | null;
  constructor(reason: string, retryAfterMs: number | null = null) {
    super(reason);
    this.reason = reason;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The model failing (a 5xx not worth retrying, a Retry-After past the budget): counted by the breaker. */
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

  // abortOnReturn off: an attempt has read its whole answer before it returns, so there is nothing
  // left to cancel, and aborting a finished call would cost an AbortError per policy per call.
  const budget = timeout(Math.max(1, config.budgetMs - config.budgetSafetyMs), { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
  budget.onTimeout(() => void metrics.budgetTimeouts++);
  // Cooperative: the attempt's signal aborts fetch and the body read, which then fail at once, so
  // there is no need to race every call against a timer promise.
  const attemptTimeout = timeout(config.attemptTimeoutMs, { strategy: TimeoutStrategy.Cooperative, abortOnReturn: false });
  attemptTimeout.onTimeout(() => void metrics.attemptTimeouts++);
  const isFailure = (e: Error): boolean => e instanceof RetryableError || e instanceof ServerError || e instanceof TaskCancelledError;
  const breaker = circuitBreaker(handleWhen(isFailure), { halfOpenAfter: config.breakerHalfOpenAfterMs, breaker: new ConsecutiveBreaker(config.breakerConsecutiveFailures) });
  breaker.onStateChange((s) => { metrics.breakerState = STATES[s]; });
  breaker.onBreak(() => void metrics.breakerOpened++);
  breaker.onHalfOpen(() => void metrics.breakerHalfOpened++);
  const backoff = new DelegateBackoff((ctx: IRetryBackoffContext<unknown>) => {
    const jitter = Math.random() * Math.min(config.backoffMaxMs, config.backoffInitialMs * 2 ** (ctx.attempt - 1));
    const err = 'error' in ctx.result ? ctx.result.error : undefined;
    const ra = err instanceof RetryableError ? (err.retryAfterMs ?? 0) : 0;
    if (ra > jitter) metrics.retryAfterHonoured++;
    return Math.max(jitter, ra);
  });
  // A BrokenCircuitError (breaker open) is not retried: the fallback answers at once.
  const retries = retry(handleWhen((e) => e instanceof RetryableError || e instanceof TaskCancelledError), { maxAttempts: config.maxAttempts - 1, backoff });
  retries.onRetry(() => void metrics.retries++);
  const policy = wrap(budget, retries, breaker, attemptTimeout);

  async function attempt(body: string, n: number, signal: AbortSignal, deadline: number): Promise<Prediction[]> {
    if (signal.aborted) throw new TaskCancelledError('the budget is spent');
    metrics.attempts++;
    let res: Response;
    try {
      res = await fetch(inferUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal });
    } catch (e) {
      if (signal.aborted) throw new TaskCancelledError('the attempt timed out');
      metrics.connectionErrors++;
      throw new RetryableError('connection');
    }
    if (res.ok) {
      const body = await res.json().catch((e: unknown) => {
        throw signal.aborted ? new TaskCancelledError('the attempt timed out') : e;
      });
      return fromV2Response(body, n);
    }
    const text = await res.text().catch(() => '');
    if (signal.aborted) throw new TaskCancelledError('the attempt timed out');
    metrics.status(res.status);
    if (config.retryStatuses.includes(res.status)) {
      const ra = retryAfterMs(res.headers.get('retry-after'));
      // Asked to come back after the budget: honour it by not calling again now.
      if (ra !== null && Date.now() + ra >= deadline) throw new ServerError(`status_${res.status}_retry_after`);
      throw new RetryableError(`status_${res.status}`, ra);
    }
    if (res.status >= 500 || res.status === 408) throw new ServerError(`status_${res.status}`);
    throw new ModelRequestError(res.status, text);
  }

  async function predict(rows: readonly Row[]): Promise<Scored[]> {
    metrics.calls++;
    const body = JSON.stringify(toV2Request(rows));
    const deadline = Date.now() + config.budgetMs - config.budgetSafetyMs; // when the budget timer fires
    try {
      const preds = await policy.execute(({ signal }) => attempt(body, rows.length, signal, deadline));
      metrics.successes++;
      return preds.map((p) => ({ ...p, degraded: false, reason: null }));
    } catch (e) {
      if (e instanceof ModelRequestError) { metrics.badRequests++; throw e; }
      const reason = e instanceof BrokenCircuitError ? 'breaker_open'
        : e instanceof RetryableError || e instanceof ServerError ? e.reason
        : e instanceof TaskCancelledError ? (Date.now() >= deadline - 1 ? 'budget' : 'timeout')
        : 'error';
      metrics.fallback(reason);
      return rows.map((r) => ({ ...fallback(r), degraded: true, reason }));
    }
  }

  return { predict, metrics, config };
}
