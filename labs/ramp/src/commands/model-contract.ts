// `ramp contract export MODEL|URL` and `ramp contract check --expect FILE --against URL|MODEL`:
// the app developer's contract test (model-contract.ts holds the rules). Kept apart from cli.ts.
import { EXIT, MalformedPickleError, RampError, UsageError } from '../errors.ts';
import { predictRows, type Model } from '../estimators/index.ts';
import { errCode, readText } from '../files.ts';
import { contractFromMetadata, diffContracts, parseContract, type Change, type ModelContract } from '../model-contract.ts';
import { modelMetadata } from '../serve.ts';
import { defaultName, loadModel } from './model-load.ts';
import { paint, print, printJson, type CommandArgs as Args, type Out } from './output.ts';

export const MODEL_CONTRACT_HELP = `Usage: ramp contract export <model|URL> [--name NAME] [--key KEY] > model.contract.json
       ramp contract check --expect model.contract.json --against <URL|model> [--json]

export writes the model's interface as a client sees it: name, version, input
columns (name, datatype, shape, nullable, categories when known), the V2
tensors, outputs and classes. From a model file, "nullable" is probed (a row
with that column missing is predicted); from a URL (GET /v2/models/NAME) it is
null, unknown. A URL may be the server (http://host:8080; the one model it
serves, or --name) or the model (http://host:8080/v2/models/churn).

check compares the contract a client was built for with what the model serves
now. Breaking: a column removed or renamed, a new required column, a datatype
change, a column that no longer takes missing values or forgets a category, a
class added, removed or reordered, an output removed or retyped, the tensor
layout, the name. Compatible: a new optional column, a new output, new
categories, a new version or estimator.

Exit codes: 0 compatible · 1 cannot read the model or reach the URL · 2 usage · 4 not a contract file · 6 breaking changes (the bar is not met)`;

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);
const flag = (a: Args, f: string): string | undefined => (typeof a.flags.get(f) === 'string' ? (a.flags.get(f) as string) : undefined);

/** Whether each column takes a missing value: predict a plain row with that one cell missing. */
function probeNullable(model: Model): boolean[] {
  const base: Array<string | number> = model.inputs.map((c) => (c.kind === 'string' ? (c.categories?.[0] ?? 'x') : 0));
  return model.inputs.map((_, j) => {
    const row = base.slice();
    row[j] = NaN;
    try {
      predictRows(model, [row as never], false);
      return true;
    } catch {
      return false;
    }
  });
}

function contractFromFile(o: Out, file: string, name: string, a: Args): ModelContract {
  const mb = flag(a, '--max-bytes');
  const limits = mb ? { maxInputBytes: Number(mb), maxDecompressedBytes: Number(mb) } : {};
  const { model } = loadModel(o.fs, file, limits, flag(a, '--key'));
  return contractFromMetadata(modelMetadata(model, name), probeNullable(model));
}

async function getJson(o: Out, url: string): Promise<unknown> {
  let res: Response;
  try {
    res = await (o.io.fetch ?? fetch)(url, { signal: AbortSignal.timeout(10_000), headers: { accept: 'application/json' } });
  } catch (e) {
    throw new RampError(`cannot reach ${url}: ${(e as Error).cause ? String(((e as Error).cause as Error).message ?? (e as Error).cause) : (e as Error).message}`, { code: 'unreachable', hint: 'Is the model server running? Start one with `ramp serve model.joblib`.' });
  }
  if (!res.ok) throw new RampError(`${url} answered ${res.status}`, { code: 'bad_status', hint: res.status === 404 ? 'Check the model name (--name) and the URL.' : 'The server is not answering metadata right now; try again.' });
  try {
    return await res.json();
  } catch {
    throw new RampError(`${url} did not answer JSON`, { code: 'bad_status', hint: 'Point at a KServe V2 server.' });
  }
}

/** The model's metadata URL: given in the URL, or the server's base URL plus a name. */
async function contractFromUrl(o: Out, url: string, name: string | undefined): Promise<ModelContract> {
  const u = new URL(url);
  const m = /^(.*\/v2\/models\/[^/]+(?:\/versions\/[^/]+)?)/.exec(u.pathname);
  const base = `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  let metaUrl: string;
  if (m) metaUrl = `${u.origin}${m[1]}`;
  else {
    let n = name;
    if (!n) {
      const list = (await getJson(o, `${base}/v1/models`)) as { models?: unknown };
      if (!Array.isArray(list.models) || list.models.length !== 1) throw new UsageError(`${url} does not say which model to use`, 'Add --name NAME, or give the model URL (http://host:8080/v2/models/NAME).');
      n = String(list.models[0]);
    }
    metaUrl = `${base}/v2/models/${encodeURIComponent(n)}`;
  }
  try {
    return contractFromMetadata(await getJson(o, metaUrl));
  } catch (e) {
    if (e instanceof RampError) throw e;
    throw new RampError(`${metaUrl}: ${(e as Error).message}`, { code: 'bad_metadata', hint: 'Point at a KServe V2 model metadata route.' });
  }
}

/** The contract of a model file (named as `ramp serve` would name it) or of a served model. */
export async function contractOf(o: Out, src: string, name: string | undefined, a: Args): Promise<ModelContract> {
  return isUrl(src) ? contractFromUrl(o, src, name) : contractFromFile(o, src, name ?? defaultName(src), a);
}

function readContractFile(o: Out, file: string): ModelContract {
  let text: string;
  try {
    text = readText(o.fs, file);
  } catch (e) {
    throw new RampError(`cannot read ${file}: ${errCode(e)}`, { code: 'not_found', hint: 'Write one with `ramp contract export MODEL > model.contract.json`.' });
  }
  try {
    return parseContract(JSON.parse(text));
  } catch (e) {
    throw new MalformedPickleError(`${file} is not a model contract: ${(e as Error).message}`, -1, 'Write it with `ramp contract export MODEL > model.contract.json`.');
  }
}

/** Indented JSON with short lists of numbers or strings on one line, for a readable diff in review. */
export function pretty(v: unknown): string {
  return JSON.stringify(v, null, 2).replace(/\[\s*\n\s*((?:-?[\d.]+|"(?:[^"\\\n]|\\.)*")(?:,\s*\n\s*(?:-?[\d.]+|"(?:[^"\\\n]|\\.)*"))*)\s*\n\s*\]/g, (_m, inner: string) => `[${inner.split(/,\s*\n\s*/).join(', ')}]`);
}

function printChanges(o: Out, title: string, changes: Change[], colour: string): void {
  if (!changes.length) return;
  print(o, paint(o, '1', title));
  const w = Math.max(...changes.map((c) => c.kind.length));
  for (const c of changes) print(o, `  ${paint(o, colour, c.kind.padEnd(w))}  ${c.message}`);
}

async function check(a: Args, o: Out): Promise<number> {
  const expectFile = flag(a, '--expect');
  const against = flag(a, '--against');
  if (!expectFile || !against) throw new UsageError('contract check needs --expect FILE and --against URL|MODEL', 'Example: ramp contract check --expect model.contract.json --against http://127.0.0.1:8080');
  if (a.pos.length > 1) throw new UsageError(`unexpected argument ${a.pos[1]}`);
  const exp = readContractFile(o, expectFile);
  const act = await contractOf(o, against, flag(a, '--name') ?? exp.name, a);
  const d = diffContracts(exp, act);
  const ok = d.breaking.length === 0;
  if (o.json) {
    printJson(o, { compatible: ok, expect: { file: expectFile, name: exp.name, version: exp.version }, against: { source: against, name: act.name, version: act.version }, breaking: d.breaking, changes: d.compatible });
  } else {
    const n = d.breaking.length;
    print(o, ok ? `${paint(o, '32', '✓ compatible')}  ${against} still serves what ${expectFile} expects` : `${paint(o, '31', `✗ ${n} breaking change${n > 1 ? 's' : ''}`)}  ${against} no longer serves what ${expectFile} expects`);
    printChanges(o, 'Breaking:', d.breaking, '31');
    printChanges(o, 'Compatible:', d.compatible, '2');
    if (!ok) print(o, paint(o, '2', 'hint: update the client for the new model (regenerate it and re-export the contract), or keep serving the old version.'));
  }
  return ok ? EXIT.OK : EXIT.BAR_NOT_MET;
}

export async function cmdModelContract(a: Args, o: Out): Promise<number> {
  const sub = a.pos[0];
  if (sub === 'export') {
    const src = a.pos[1];
    if (!src) throw new UsageError('missing model file or URL', 'Example: ramp contract export churn.joblib > model.contract.json');
    if (a.pos.length > 2) throw new UsageError(`unexpected argument ${a.pos[2]}`);
    print(o, `${pretty(await contractOf(o, src, flag(a, '--name'), a))}\n`);
    return EXIT.OK;
  }
  if (sub === 'check') return check({ pos: a.pos, flags: a.flags }, o);
  throw new UsageError(sub ? `unknown contract subcommand "${sub}"` : 'missing contract subcommand', 'ramp contract export MODEL|URL, or ramp contract check --expect FILE --against URL|MODEL.');
}
