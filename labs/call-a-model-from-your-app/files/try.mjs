// Calls the service's score() five times for customer 42 and prints what came back and how long
// each call took, then the client's metrics when the service has a client.
import * as service from './service.mjs';

for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  try {
    const answer = await service.score(service.CUSTOMERS[42]);
    console.log(`${(performance.now() - t0).toFixed(0).padStart(5)} ms  ${JSON.stringify(answer)}`);
  } catch (e) {
    console.log(`${(performance.now() - t0).toFixed(0).padStart(5)} ms  failed: ${e.message}`);
  }
}
if (service.client) {
  const m = service.client.metrics;
  console.log(`client: attempts ${m.attempts}, retries ${m.retries}, timeouts ${m.attemptTimeouts + m.budgetTimeouts}, breaker ${m.breakerState}, fallbacks ${m.fallbacks}`);
}
