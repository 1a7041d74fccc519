// The client against a real `ramp serve` with injected faults (Node's test runner, offline).
// Every assertion is a count (attempts, timeouts, breaker state, fallbacks), never a duration.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { createClient, ModelRequestError } from '../src/client.ts';
import { CLASSES, COLUMNS, EXAMPLE_ROW, type Row } from '../src/model.ts';
import { MODEL_FILE, startRamp, type RampServer } from './ramp-server.ts';

const skip = existsSync(MODEL_FILE) ? false : `no model file at ${MODEL_FILE}: set MODEL_FILE to run these tests`;
let ramp: RampServer;
before(async () => { if (!skip) ramp = await startRamp(); });
after(() => ramp?.close());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errors = async (status: number): Promise<number> => Object.entries(await ramp.injected()).filter(([k]) => k.includes(`fault="error_${status}"`)).reduce((s, [, v]) => s + v, 0);

test('no fault: the model answers, once, not degraded', { skip }, async () => {
  await ramp.setFaults('none');
  const client = createClient({ url: ramp.url });
  const [p] = await client.predict([EXAMPLE_ROW]);
  assert.equal(p!.degraded, false);
  assert.equal(p!.reason, null);
  if (CLASSES.length) assert.ok((CLASSES as readonly unknown[]).includes((p as unknown as { label: unknown }).label));
  assert.equal(client.metrics.attempts, 1);
  assert.equal(client.metrics.fallbacks, 0);
});

test('503s are retried up to maxAttempts, then the fallback answers, marked degraded', { skip }, async () => {
  await ramp.setFaults('error-rate=1,status=503');
  const client = createClient({ url: ramp.url, budgetMs: 5000, attemptTimeoutMs: 1000, maxAttempts: 3, breakerConsecutiveFailures: 100 });
  const [p] = await client.predict([EXAMPLE_ROW]);
  assert.deepEqual([p!.degraded, p!.reason], [true, 'status_503']);
  assert.deepEqual([client.metrics.attempts, client.metrics.retries, client.metrics.fallbacks], [3, 2, 1]);
  assert.equal(await errors(503), 3);
});

test('a 500 is not retried (the model fails on this input); a 400 is thrown, not hidden by the fallback', { skip }, async () => {
  await ramp.setFaults('error-rate=1,status=500');
  const client = createClient({ url: ramp.url, budgetMs: 5000, breakerConsecutiveFailures: 100 });
  const [p] = await client.predict([EXAMPLE_ROW]);
  assert.deepEqual([p!.reason, client.metrics.attempts], ['status_500', 1]);
  await ramp.setFaults('none');
  const bad = { ...EXAMPLE_ROW, [COLUMNS[0].name]: [1, 2] } as unknown as Row;
  await assert.rejects(client.predict([bad]), ModelRequestError);
  assert.deepEqual([client.metrics.attempts, client.metrics.badRequests, client.metrics.fallbacks], [2, 1, 1]);
});

test('a slow model: each attempt is cut by its timeout, then the fallback', { skip }, async () => {
  await ramp.setFaults('latency=10s');
  const client = createClient({ url: ramp.url, budgetMs: 3000, attemptTimeoutMs: 100, maxAttempts: 2, breakerConsecutiveFailures: 100 });
  const [p] = await client.predict([EXAMPLE_ROW]);
  assert.deepEqual([p!.degraded, p!.reason], [true, 'timeout']);
  assert.deepEqual([client.metrics.attempts, client.metrics.attemptTimeouts, client.metrics.budgetTimeouts], [2, 2, 0]);
});

test('a slow body: the attempt timeout cuts the read too, and it is retried as a timeout', { skip }, async () => {
  await ramp.setFaults('slow-body=10s');
  const client = createClient({ url: ramp.url, budgetMs: 3000, attemptTimeoutMs: 200, maxAttempts: 2, breakerConsecutiveFailures: 100 });
  const [p] = await client.predict([EXAMPLE_ROW]);
  assert.deepEqual([p!.degraded, p!.reason], [true, 'timeout']);
  assert.deepEqual([client.metrics.attempts, client.metrics.retries, client.metrics.attemptTimeouts, client.metrics.budgetTimeouts], [2, 1, 2, 0]);
});

test('the budget bounds the whole call, retries included', { skip }, async () => {
  await ramp.setFaults('latency=10s');
  const client = createClient({ url: ramp.url, budgetMs: 150, attemptTimeoutMs: 5000, maxAttempts: 3 });
  const [p] = await client.predict([EXAMPLE_ROW]);
  assert.deepEqual([p!.reason, client.metrics.attempts, client.metrics.budgetTimeouts], ['budget', 1, 1]);
});

test('a wait between attempts is cut to what the budget has left, and the next attempt is not made', { skip, timeout: 10_000 }, async (t) => {
  await ramp.setFaults('error-rate=1,status=503');
  t.mock.method(Math, 'random', () => 0.99); // the jittered backoff draws its longest wait: 990 s
  const client = createClient({ url: ramp.url, budgetMs: 300, backoffInitialMs: 1e6, backoffMaxMs: 1e6, maxAttempts: 2, breakerConsecutiveFailures: 100 });
  const [p] = await client.predict([EXAMPLE_ROW]);
  assert.deepEqual([p!.reason, client.metrics.attempts, client.metrics.retries, client.metrics.budgetTimeouts], ['budget', 1, 1, 1]);
});

test('dropped connections are retried, then the fallback', { skip }, async () => {
  await ramp.setFaults('drop-rate=1');
  const client = createClient({ url: ramp.url, budgetMs: 5000, maxAttempts: 3, breakerConsecutiveFailures: 100 });
  const [p] = await client.predict([EXAMPLE_ROW]);
  assert.deepEqual([p!.reason, client.metrics.attempts, client.metrics.connectionErrors], ['connection', 3, 3]);
});

test('Retry-After is honoured: waited for when it fits the budget, not called again when it does not', { skip }, async () => {
  await ramp.setFaults('error-rate=1,status=429,retry-after=1');
  const short = createClient({ url: ramp.url, budgetMs: 300, breakerConsecutiveFailures: 100 });
  const [p] = await short.predict([EXAMPLE_ROW]);
  assert.deepEqual([p!.reason, short.metrics.attempts], ['status_429_retry_after', 1]);
  const long = createClient({ url: ramp.url, budgetMs: 5000, attemptTimeoutMs: 1000, maxAttempts: 2, breakerConsecutiveFailures: 100 });
  const [q] = await long.predict([EXAMPLE_ROW]);
  assert.deepEqual([q!.reason, long.metrics.attempts, long.metrics.retryAfterHonoured], ['status_429', 2, 1]);
});

test('the breaker opens after consecutive failures, answers at once while open, half-opens and closes', { skip }, async () => {
  await ramp.setFaults('error-rate=1,status=503');
  const client = createClient({ url: ramp.url, budgetMs: 5000, maxAttempts: 2, breakerConsecutiveFailures: 4, breakerHalfOpenAfterMs: 200 });
  const before503 = await errors(503);
  await client.predict([EXAMPLE_ROW]);
  await client.predict([EXAMPLE_ROW]);
  assert.deepEqual([client.metrics.breakerState, client.metrics.breakerOpened, client.metrics.attempts], ['open', 1, 4]);
  const [open] = await client.predict([EXAMPLE_ROW]);
  assert.deepEqual([open!.reason, client.metrics.attempts, client.metrics.shortCircuited], ['breaker_open', 4, 1]);
  assert.equal((await errors(503)) - before503, 4);
  await sleep(300); // past halfOpenAfter: one trial call goes through, fails, and the breaker opens again
  await client.predict([EXAMPLE_ROW]);
  assert.deepEqual([client.metrics.breakerHalfOpened, client.metrics.breakerOpened, client.metrics.breakerState], [1, 2, 'open']);
  await ramp.setFaults('none');
  await sleep(300); // the model is back: the trial call succeeds and the breaker closes
  const [ok] = await client.predict([EXAMPLE_ROW]);
  assert.deepEqual([ok!.degraded, client.metrics.breakerHalfOpened, client.metrics.breakerState], [false, 2, 'closed']);
  assert.match(client.metrics.toPrometheus(), /model_client_breaker_state\{state="closed"\} 1/);
  assert.match(client.metrics.toPrometheus(), /model_client_fallbacks_by_reason_total\{reason="breaker_open"\} 2/); // the short-circuited call, and the failed trial's retry
});
