// A tiny service: GET /risk/<customer> answers with the churn model's score for that customer.
// It calls the model through the generated client: a 300 ms budget, retries, a circuit breaker,
// and a fallback marked degraded. It answers on time whatever the model does.
import { createServer } from 'node:http';
import { createClient } from './client/src/client.ts';

const MODEL_URL = process.env.MODEL_URL ?? 'http://127.0.0.1:8080';

export const CUSTOMERS = {
  42: { tenure_months: 3, monthly_spend: 89.9, support_tickets: 4, days_since_login: 30, plan: 'basic', region: 'eu-west', contract: 'monthly' },
  7: { tenure_months: 65, monthly_spend: 91.88, support_tickets: 1, days_since_login: 16, plan: 'premium', region: 'eu-west', contract: 'annual' },
};

/** One client for the whole service: its breaker and metrics see every call. */
export const client = createClient({ url: MODEL_URL, budgetMs: 300 });

/** The model's answer for one customer, or the fallback's, marked degraded. */
export async function score(row) {
  const [prediction] = await client.predict([row]);
  return prediction;
}

export async function handler(req, res) {
  if (req.url === '/metrics') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(client.metrics.toPrometheus());
  const row = CUSTOMERS[(req.url ?? '').split('/').pop()];
  if (!row) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await score(row)));
}

if (process.argv[1]?.endsWith('service.mjs')) createServer(handler).listen(3000, () => console.log('service on http://127.0.0.1:3000/risk/42'));
