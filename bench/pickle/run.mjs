// Load-time benchmark: ramp's loader vs Python's pickle.load / joblib.load on the same files.
//
//   node bench/pickle/run.mjs      (REPS=15 by default; Node >= 22.6 runs the .ts sources directly)
//
// Both sides time: read the file + unpickle (+ for ramp, build the runnable model).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPickleBytes } from '../../labs/ramp/src/load.ts';
import { buildModel } from '../../labs/ramp/src/estimators/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REPS = Number(process.env.REPS ?? 15);
// Warm-up runs first, so both sides are measured warm (Python's unpickler is C); the cold line below
// shows a first load in a fresh process.
const WARM = 10;
const FILES = [
  'bench/models/rf100.pkl', 'bench/models/rf100.joblib', 'bench/models/logreg.pkl', 'bench/models/logreg.joblib',
  // DataFrame pipelines (test/fixtures/make_models_frames.py): ColumnTransformer + LogisticRegression, and HistGradientBoosting.
  'bench/models/churn_pipeline.pkl', 'bench/models/churn_pipeline.joblib', 'bench/models/hgb_pipeline.pkl', 'bench/models/hgb_pipeline.joblib',
];
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };

const py = `
import json, pickle, sys, time, joblib
files, reps = json.loads(sys.argv[1]), int(sys.argv[2])
out = {}
for f in files:
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        if f.endswith('.joblib'):
            joblib.load(f)
        else:
            with open(f, 'rb') as fh: pickle.load(fh)
        ts.append((time.perf_counter() - t) * 1000)
    ts.sort(); out[f] = ts[len(ts) // 2]
print(json.dumps(out))
`;
const pyRes = spawnSync('/usr/bin/python3', ['-c', py, JSON.stringify(FILES.map((f) => join(root, f))), String(REPS)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
if (pyRes.status !== 0) { console.error(pyRes.stderr); process.exit(1); }
const pyTimes = JSON.parse(pyRes.stdout);

console.log(`median of ${REPS} runs (ms); ratio = ramp / python (goal ≤ 2)`);
console.log('file                          ramp unpickle   ramp +model   python   ratio(unpickle)  ratio(+model)');
for (const f of FILES) {
  const p = join(root, f);
  const tu = [];
  const tm = [];
  for (let i = 0; i < REPS + WARM; i++) {
    const t0 = performance.now();
    const { result } = loadPickleBytes(readFileSync(p), 'load');
    const t1 = performance.now();
    buildModel(result.value);
    const t2 = performance.now();
    if (i >= WARM) { tu.push(t1 - t0); tm.push(t2 - t0); }
  }
  const u = median(tu);
  const m = median(tm);
  const pt = pyTimes[p];
  console.log(`${f.padEnd(30)}${u.toFixed(2).padStart(13)}${m.toFixed(2).padStart(14)}${pt.toFixed(2).padStart(9)}${(u / pt).toFixed(2).padStart(17)}${(m / pt).toFixed(2).padStart(15)}`);
}
// cold: first load in a fresh process (includes JIT warm-up), for honesty
const cold = spawnSync(process.execPath, ['-e', `
const t0 = performance.now();
const { loadPickleBytes } = await import(${JSON.stringify(join(root, 'labs/ramp/src/load.ts'))});
const { buildModel } = await import(${JSON.stringify(join(root, 'labs/ramp/src/estimators/index.ts'))});
const { readFileSync } = await import('node:fs');
const t1 = performance.now();
buildModel(loadPickleBytes(readFileSync(${JSON.stringify(join(root, 'bench/models/hgb_pipeline.joblib'))}), 'load').result.value);
console.log((performance.now() - t1).toFixed(2));
`, '--input-type=module'], { encoding: 'utf8' });
console.log(`cold first load of hgb_pipeline.joblib in a fresh node process (python joblib.load, warm: ${pyTimes[join(root, 'bench/models/hgb_pipeline.joblib')].toFixed(2)} ms): ${cold.stdout.trim() || cold.stderr.trim()} ms`);
