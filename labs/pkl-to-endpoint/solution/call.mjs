// Calls the live endpoint over the Open Inference Protocol (KServe V2) and prints the answer.
// Run it with: node call.mjs
import { readFileSync } from 'node:fs';

const MODEL = 'http://127.0.0.1:8080/v2/models/churn';
const rows = JSON.parse(readFileSync('rows.json', 'utf8')).instances;

// The model's metadata says which input tensors it takes: one per column, with its datatype.
const meta = await (await fetch(MODEL)).json();

// One tensor per column: its name and datatype from the metadata, its values from every row.
const request = {
  inputs: meta.inputs.map((t) => ({ name: t.name, shape: [rows.length], datatype: t.datatype, data: rows.map((row) => row[t.name]) })),
};

const response = await fetch(`${MODEL}/infer`, {
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
