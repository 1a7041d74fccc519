// The help texts of ramp and its commands (`ramp --help`, `ramp <command> --help`).
import { DEFAULT_LIMITS } from './unpickler.ts';
import { MODEL_CONTRACT_HELP } from './commands/model-contract.ts';
import { VALIDATE_HELP } from './commands/validate.ts';
import { DRIFT_HELP } from './commands/drift.ts';
import { TRAFFIC_HELP } from './commands/serve-traffic.ts';
import { DATA_COMMANDS } from './commands/data.ts';
import { VERSION } from './version.ts';

export const HELP: Record<string, string> = {
  main: `ramp ${VERSION} — inspect, scan, predict and serve scikit-learn models (no Python needed)

Usage: ramp <command> [options]

Commands:
  inspect <model>              What is in a pickle/joblib file, and is it safe
  scan <model>                 Safety check only (never loads what it flags)
  predict <model> --input F    Offline predictions from JSON or CSV
  serve <model>                Live HTTP endpoint (KServe V2 + V1, /metrics)
  init <template> [dir]        Scaffold a project (templates: model-endpoint, service-client, pipeline)
  validate <candidate>         Release bar vs a baseline: feature parity, metrics per slice
  drift --reference --current  Data and prediction drift per column, streamed
  pipeline check|run|rules     House conventions, idempotent runs and backfills
  contract export|check        A model's interface for clients, and breaking changes to it
  contract test|lint|diff      Data contracts (Open Data Contract Standard)

Global options:
  --json           Machine-readable output (errors too, on stdout)
  --no-color       No colours (also NO_COLOR=1; colour is only used on a TTY)
  --max-bytes N    Input / decompressed size limit (default ${DEFAULT_LIMITS.maxInputBytes})
  -h, --help       Help for ramp or a command
  -v, --version    Print the version

Exit codes: 0 ok · 1 error · 2 usage · 3 unsafe model · 4 malformed or over limits · 5 not supported yet · 6 the bar is not met (validation, drift, conventions, a data contract, a breaking model contract change)
Run \`ramp <command> --help\` for details.`,
  inspect: `Usage: ramp inspect <model> [--key NAME] [--json]

Shows the estimator and the whole tree of steps (each marked supported or not),
the scikit-learn version recorded in the file, the file format (pickle
protocol; joblib raw or compressed), the input columns with their kinds,
classes and the safety verdict. A file holding a dict or tuple (a bundle)
lists its keys; --key picks the model in it.

Exit codes: 0 ok · 1 cannot read · 2 usage (bundle without --key) · 3 unsafe · 4 malformed, unsupported format or over limits · 5 a step ramp cannot run yet (the rest is still shown)`,
  scan: `Usage: ramp scan <model> [--key NAME] [--json]

Checks that loading the file cannot run code: every global must be on ramp's
exact allow-list and no opcode may call anything else. Walks the opcodes; never
constructs what it flags. Then checks that ramp can run every step.

Three answers: safe (exit 0); unsafe: would run code or reach a callable outside
the allow-list (exit 3, every finding listed); not supported yet: safe to load,
but a scikit-learn class ramp cannot run (exit 5, every such step listed).
Exit codes: 0 safe · 1 cannot read the file · 3 unsafe · 4 malformed, unsupported format or over limits · 5 not supported yet`,
  predict: `Usage: ramp predict <model> --input <file|-> [--proba] [--json]

Input formats:
  {"instances": [[...], ...]}                      rows of numbers (or objects keyed by feature name)
  {"inputs": [{"name","shape","datatype","data"}]}  an Open Inference Protocol (V2) request
  CSV with a header                                  columns matched to feature names, else by position

--proba adds class probabilities (classifiers only).
JSON output: {"predictions": [...], "probabilities": [[...]]}

Exit codes: 0 ok · 1 bad input / unsupported estimator · 2 usage · 3 unsafe · 4 malformed`,
  serve: `Usage: ramp serve <model> [--name NAME] [--port 8080] [--host 127.0.0.1] [--max-body 1048576] [--fault SPEC]…

Routes:
  GET  /                            model card and a form to try predictions
  GET  /v2/health/live, /v2/health/ready, /v2
  GET  /v2/models/NAME              model metadata (inputs/outputs)
  GET  /v2/models/NAME/ready
  POST /v2/models/NAME/infer        Open Inference Protocol (KServe V2)
  POST /v1/models/NAME:predict      KServe V1 {"instances": [...]}
  GET  /metrics                     Prometheus metrics

--port 0 picks a free port. SIGTERM/SIGINT finish in-flight requests, then exit 0.

Faults to practise against (off unless asked for; repeat --fault for other routes):
  --fault latency=200ms,error-rate=0.2,status=503
  keys: route=infer|all|v2_infer|v1_predict|v2_model_metadata|… (default infer)
        latency=D, or latency=D (median) with latency-p99=D for a long tail
        error-rate=F, status=429|500|502|503|504 (503), retry-after=S (1 with 429)
        drop-rate=F (connection closed, no answer), slow-body=D, slow-body-rate=F
        seed=N (the same faults run after run)
  --fault none starts with no rule; GET/PUT/DELETE /admin/faults read and change the rules
  while the server runs (PUT a SPEC a line). /metrics: ramp_faults_enabled, ramp_faults_injected_total.
--log-predictions DIR appends inputs and predictions to DIR/NAME-1.csv (see below).
Exit codes: 1 port in use / unsupported estimator · 2 usage (or a bad traffic.yaml) · 3 unsafe · 4 malformed
${TRAFFIC_HELP}`,
  contract: MODEL_CONTRACT_HELP,
  validate: VALIDATE_HELP,
  drift: DRIFT_HELP,
  init: `Usage: ramp init <template> [dir] [--model FILE] [--name NAME]
       ramp init service-client [dir] --model URL|FILE [--name NAME]

Creates a project from a template (default dir: the template name). With
--model, the input schema is filled from that model file.
Templates: model-endpoint; service-client (a typed TypeScript client with a
budget, retries, a circuit breaker and a fallback, its contract and tests
against ramp serve --fault; --model is required); pipeline (--name
<domain>__<source>__<entity>; see ramp pipeline rules)

Exit codes: 0 ok · 1 target is not an empty directory · 2 unknown template or a name that breaks the conventions`,
};

// The data engineer's commands (pipeline, contract): one block, see commands/data.ts.
// `contract` is shared with the model contract (export|check): both helps.
for (const c of DATA_COMMANDS) HELP[c.name] = HELP[c.name] ? `${HELP[c.name]}\n\n${c.help}` : c.help;
