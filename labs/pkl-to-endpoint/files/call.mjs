// Calls the live endpoint over the Open Inference Protocol (KServe V2) and prints the answer.
// Run it with: node call.mjs
import { readFileSync } from 'node:fs';

const rows = JSON.parse(readFileSync('rows.json', 'utf8')).instances;

// Your turn: build a V2 inference request from `rows`: one input tensor named "input-0",
// with shape [number of rows, number of features], datatype "FP64" and the values in `data`.
const request = { inputs: [] };

const response = await fetch('http://127.0.0.1:8080/v2/models/iris/infer', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(request),
});
const body = await response.json();
if (!response.ok) {
  console.error(`The endpoint answered ${response.status}: ${body.error ?? JSON.stringify(body)}`);
  process.exit(1);
}
console.log(JSON.stringify(body, null, 2));
