// A tiny service: GET /risk/<customer> answers with the churn model's score for that customer.
// It calls the model NAIVELY: no timeout, no retry, no fallback. When the model is slow, so is
// this service; when the model is down, this service fails.
import { createServer } from 'node:http';

const MODEL_URL = process.env.MODEL_URL ?? 'http://127.0.0.1:8080';

export const CUSTOMERS = {
  42: { tenure_months: 3, monthly_spend: 89.9, support_tickets: 4, days_since_login: 30, plan: 'basic', region: 'eu-west', contract: 'monthly' },
  7: { tenure_months: 65, monthly_spend: 91.88, support_tickets: 1, days_since_login: 16, plan: 'premium', region: 'eu-west', contract: 'annual' },
};

/** The model's answer for one customer. */
export async function score(row) {
  const inputs = Object.entries(row).map(([name, value]) => ({ name, shape: [1], datatype: typeof value === 'string' ? 'BYTES' : 'FP64', data: [value] }));
  const res = await fetch(`${MODEL_URL}/v2/models/churn/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs }) });
  if (!res.ok) throw new Error(`the model answered ${res.status}`);
  const body = await res.json();
  return { label: body.outputs[0].data[0], degraded: false };
}

export async function handler(req, res) {
  const row = CUSTOMERS[(req.url ?? '').split('/').pop()];
  if (!row) return void res.writeHead(404).end();
  try {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await score(row)));
  } catch (e) {
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(e.message) }));
  }
}

if (process.argv[1]?.endsWith('service.mjs')) createServer(handler).listen(3000, () => console.log('service on http://127.0.0.1:3000/risk/42'));
