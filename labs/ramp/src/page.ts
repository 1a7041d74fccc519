// The small self-contained HTML page served at GET / (model card + try-it form).
import type { Model } from './estimators/index.ts';
import { v2Inputs } from './serve-inputs.ts';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** An example value per column: the first known category for text, 0 for numbers. */
function exampleRow(model: Model): Array<number | string> {
  return model.inputs.map((c) => (c.kind === 'string' ? c.categories?.[0] ?? 'text' : 0));
}

export function exampleRequest(model: Model): Record<string, unknown> {
  const row = exampleRow(model);
  const tensors = v2Inputs(model);
  if (tensors.length === 1) return { inputs: [{ name: 'input-0', shape: [1, model.nFeatures], datatype: 'FP64', data: [row] }] };
  return { inputs: tensors.map((t, j) => ({ name: t.name, shape: [1], datatype: t.datatype, data: [row[j]] })) };
}

export function exampleCurl(model: Model, base: string, name: string): string {
  return `curl -s -X POST ${base}/v2/models/${encodeURIComponent(name)}/infer \\\n  -H 'Content-Type: application/json' \\\n  -d '${JSON.stringify(exampleRequest(model))}'`;
}

export function renderPage(model: Model, o: { name: string; version: string; file: string; format: string }): string {
  const e = escapeHtml;
  const names = model.featureNames ?? Array.from({ length: model.nFeatures }, (_, i) => `feature ${i}`);
  const classes = model.classes ? model.classes.map(String) : null;
  const steps = model.steps.length > 1 ? model.steps.map((s) => `${s.name}: ${s.estimator}`).join(' → ') : model.estimator;
  const row = exampleRow(model);
  const field = (n: string, i: number): string => {
    const col = model.inputs[i]!;
    if (col.kind !== 'string') return `<input id="f${i}" name="f${i}" type="number" step="any" value="0" required>`;
    const list = col.categories?.length ? ` list="c${i}"` : '';
    const options = col.categories?.length ? `<datalist id="c${i}">${col.categories.map((c) => `<option value="${e(c)}"></option>`).join('')}</datalist>` : '';
    return `<input id="f${i}" name="f${i}" type="text" value="${e(String(row[i]))}"${list}>${options}`;
  };
  const inputs = names.map((n, i) => `<div class="f"><label for="f${i}">${e(n)}</label>${field(n, i)}</div>`).join('\n');
  // JSON embedded in <script>: escape '<' so "</script>" inside names cannot break out.
  const cfg = JSON.stringify({ name: o.name, n: model.nFeatures, tensors: v2Inputs(model) }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(o.name)} · ramp</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;background:#fff}
h1{font-size:1.6rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}
pre{background:#f3f3f3;padding:.75rem;overflow:auto;border-radius:4px}
.f{display:flex;gap:.5rem;align-items:center;margin:.25rem 0}.f label{min-width:12rem}
button{font:inherit;padding:.4rem 1rem;margin-top:.75rem}
:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
@media (prefers-color-scheme:dark){body{background:#151515;color:#eee}pre{background:#262626}}
</style>
</head>
<body>
<main>
<h1>Model <code>${e(o.name)}</code></h1>
<section aria-labelledby="card">
<h2 id="card">Model card</h2>
<dl>
<dt>Estimator</dt><dd>${e(steps)}</dd>
<dt>Task</dt><dd>${e(model.task)}</dd>
<dt>scikit-learn version</dt><dd>${e(model.sklearnVersion ?? 'not recorded')}</dd>
<dt>File</dt><dd>${e(o.file)} (${e(o.format)})</dd>
<dt>Features</dt><dd>${model.nFeatures}${model.featureNames ? `: ${e(model.featureNames.join(', '))}` : ' (no names recorded)'}</dd>
${classes ? `<dt>Classes</dt><dd>${e(classes.join(', '))}</dd>` : ''}
</dl>
</section>
<section aria-labelledby="curl">
<h2 id="curl">Example request</h2>
<pre><code id="curl-example">${e(exampleCurl(model, '', o.name)).replace('curl -s -X POST /', 'curl -s -X POST <span class="origin"></span>/')}</code></pre>
</section>
<section aria-labelledby="try">
<h2 id="try">Try a prediction</h2>
<form id="form">
<fieldset><legend>Feature values (one row)</legend>
${inputs}
</fieldset>
<button type="submit">Predict</button>
</form>
<h3>Result</h3>
<pre id="result" role="status" aria-live="polite">No prediction yet.</pre>
</section>
<p><small>Served by ramp ${e(o.version)} · <a href="/v2/models/${e(encodeURIComponent(o.name))}">model metadata</a> · <a href="/metrics">metrics</a></small></p>
</main>
<script>
const cfg = ${cfg};
// This page is the server's root; behind a proxy (a lab preview) that root has a path prefix.
for (const el of document.querySelectorAll('.origin')) el.textContent = location.origin + location.pathname.replace(/\\/$/, '');
document.getElementById('form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const out = document.getElementById('result');
  const row = [];
  for (let i = 0; i < cfg.n; i++) {
    const el = document.getElementById('f' + i);
    // An empty box is a missing value (null), as an empty CSV cell is.
    row.push(el.value === '' ? null : el.type === 'number' ? Number(el.value) : el.value);
  }
  const inputs = cfg.tensors.length === 1
    ? [{ name: 'input-0', shape: [1, cfg.n], datatype: 'FP64', data: [row] }]
    : cfg.tensors.map((t, j) => ({ name: t.name, shape: [1], datatype: t.datatype, data: [row[j]] }));
  out.textContent = 'Predicting…';
  try {
    const r = await fetch('/v2/models/' + encodeURIComponent(cfg.name) + '/infer', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ inputs }),
    });
    const body = await r.json();
    if (!r.ok) { out.textContent = 'Error ' + r.status + ': ' + body.error; return; }
    out.textContent = body.outputs.map((o) => o.name + ': ' + JSON.stringify(o.data)).join('\\n');
  } catch (err) {
    out.textContent = 'Request failed: ' + err;
  }
});
</script>
</body>
</html>
`;
}
