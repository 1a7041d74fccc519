// Every number the client uses, in one place. The defaults suit a model called inside a
// user-facing request; each comment says why it is what it is, so you can change it knowingly.
export interface ClientConfig {
  /** The model server (KServe V2). */
  url: string;
  /** The whole call, attempts and waits included: the most a caller ever waits. */
  budgetMs: number;
  /** How much earlier than the budget the client gives up, so the fallback is back in time. */
  budgetSafetyMs: number;
  /** One attempt. */
  attemptTimeoutMs: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Backoff before retry n: a random wait in [0, min(max, initial × 2^(n-1))] ("full jitter"). */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Statuses worth another attempt. */
  retryStatuses: number[];
  /** Failures in a row that open the circuit breaker. */
  breakerConsecutiveFailures: number;
  /** How long the breaker stays open before one trial call (half-open). */
  breakerHalfOpenAfterMs: number;
}

export const DEFAULT_CONFIG: ClientConfig = {
  url: process.env.MODEL_URL ?? '{{model_url}}',
  // Take it from your endpoint's latency objective minus your own work: a 500 ms page with 200 ms of
  // its own leaves 300 ms for the model, retries included. The caller never waits longer.
  budgetMs: 300,
  // Timers fire late (about a millisecond on an idle machine, more on a busy one) and the fallback
  // takes a moment too: giving up this much before the budget keeps the caller's wait inside it.
  budgetSafetyMs: 5,
  // About the model's healthy p99 plus headroom: long enough that a normal answer is never cut,
  // short enough that a stuck attempt leaves time for a second one inside the budget.
  attemptTimeoutMs: 120,
  // Three attempts absorb a brief blip. More would multiply load on a model that is struggling;
  // the budget bounds them anyway.
  maxAttempts: 3,
  // Small waits, randomised ("full jitter") so a fleet of clients does not retry in lockstep
  // and knock over a model that is recovering.
  backoffInitialMs: 10,
  backoffMaxMs: 100,
  // Only what can succeed on a second try: overload (429, with its Retry-After honoured), a bad
  // gateway, unavailable, a gateway timeout. A 400 is a bug in the request and would fail again;
  // a 500 is the model failing on this input, counted by the breaker but not retried.
  retryStatuses: [429, 502, 503, 504],
  // Five failures in a row is an outage, not bad luck: stop calling for a while and answer with
  // the fallback at once, which spares the model and your callers' time.
  breakerConsecutiveFailures: 5,
  // Long enough for a restart or a rollout to finish, short enough to notice recovery quickly.
  breakerHalfOpenAfterMs: 5000,
};
