// `ramp init service-client [dir] --model URL|FILE [--name NAME]`: the app developer's client,
// typed from the model's V2 metadata (client-codegen.ts), with its contract and offline tests.
import { RampError, UsageError, EXIT } from '../errors.ts';
import { exists, isDirectory } from '../files.ts';
import { basename, dirname, join, relative, resolve } from '../path.ts';
import { clientModule, typesTest } from '../client-codegen.ts';
import { fillTemplate, loadTemplates } from '../templates.ts';
import { contractOf, pretty } from './model-contract.ts';
import { print, printJson, type CommandArgs as Args, type Out } from './output.ts';

function targetDir(a: Args, o: Out): string {
  if (a.pos.length > 2) throw new UsageError(`unexpected argument ${a.pos[2]}`);
  const dir = resolve(o.io.cwd, a.pos[1] ?? 'service-client');
  if (exists(o.fs, dir) && (!isDirectory(o.fs, dir) || o.fs.readdir(dir).length > 0)) {
    throw new RampError(`${dir} is not an empty directory; refusing to overwrite it`, { code: 'dir_not_empty', hint: 'Choose a new directory name, e.g. `ramp init service-client churn-client --model churn.joblib`.' });
  }
  return dir;
}

export async function cmdInitServiceClient(a: Args, o: Out): Promise<number> {
  const source = a.flags.get('--model');
  if (typeof source !== 'string') throw new UsageError('ramp init service-client needs --model URL|FILE', 'The client is typed from the model: `ramp init service-client churn-client --model churn.joblib` (or --model http://127.0.0.1:8080).');
  const dir = targetDir(a, o);
  const isUrl = /^https?:\/\//i.test(source);
  const name = typeof a.flags.get('--name') === 'string' ? (a.flags.get('--name') as string) : undefined;
  const contract = await contractOf(o, source, name, a);
  const modelFile = isUrl ? '' : relative(dir, resolve(o.io.cwd, source)) || basename(source);
  const vars: Record<string, string> = {
    name: contract.name,
    model_url: isUrl ? new URL(source).origin : 'http://127.0.0.1:8080',
    model_file: modelFile,
    model_source: isUrl ? source : modelFile,
  };
  const files: Record<string, string> = {};
  for (const [rel, text] of Object.entries(loadTemplates()['service-client'] ?? {})) files[rel] = fillTemplate(text, vars);
  files['src/model.ts'] = clientModule(contract);
  files['test/types.ts'] = typesTest(contract);
  files['model.contract.json'] = `${pretty(contract)}\n`;
  for (const [rel, text] of Object.entries(files)) {
    o.fs.mkdir(dirname(join(dir, rel)), { recursive: true });
    o.fs.writeFile(join(dir, rel), text);
  }
  const written = Object.keys(files).sort();
  if (o.json) printJson(o, { template: 'service-client', dir, model: contract.name, files: written });
  else {
    print(o, `Created ${dir} from template service-client, typed from ${contract.name} (${contract.inputs.length} input columns${contract.classes ? `, classes ${contract.classes.join(', ')}` : ''}):`);
    for (const f of written) print(o, `  ${f}`);
    print(o, `Next: cd ${a.pos[1] ?? 'service-client'} && npm install && npm test; then read README.md.`);
  }
  return EXIT.OK;
}
