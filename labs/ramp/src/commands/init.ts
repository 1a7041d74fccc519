// `ramp init <template> [dir]`: a project from a template (model-endpoint; the service-client
// and pipeline templates have their own commands).
import { EXIT, RampError, UsageError } from '../errors.ts';
import { exists, isDirectory } from '../files.ts';
import { exampleRequest } from '../page.ts';
import { basename, dirname, join, resolve } from '../path.ts';
import { fillTemplate, loadTemplates } from '../templates.ts';
import { limitsOf, type Parsed } from '../args.ts';
import { defaultName, loadModel } from './model-load.ts';
import { green, print, printJson, type Out } from './output.ts';

export function cmdInit(p: Parsed, o: Out): number {
  const templates = loadTemplates();
  const names = Object.keys(templates);
  if (p.pos.length === 0) throw new UsageError('missing template name', `Templates: ${names.join(', ')}. Example: ramp init model-endpoint my-endpoint`);
  if (p.pos.length > 2) throw new UsageError(`unexpected argument ${p.pos[2]}`);
  const tname = p.pos[0]!;
  const tpl = templates[tname];
  if (!tpl) throw new UsageError(`unknown template "${tname}"`, `Templates: ${names.join(', ')}.`);
  const dir = resolve(o.io.cwd, p.pos[1] ?? tname);
  if (exists(o.fs, dir) && !isDirectory(o.fs, dir)) {
    throw new RampError(`${dir} is a file, not a directory`, { code: 'dir_not_empty', hint: 'Choose a new directory name, e.g. `ramp init model-endpoint my-endpoint`.' });
  }
  if (isDirectory(o.fs, dir) && o.fs.readdir(dir).length > 0) {
    throw new RampError(`${dir} is not empty; refusing to overwrite it`, { code: 'dir_not_empty', hint: 'Choose a new directory name, e.g. `ramp init model-endpoint my-endpoint`.' });
  }
  const modelFile = p.flags.get('--model') as string | undefined;
  const name = (p.flags.get('--name') as string | undefined) ?? defaultName(basename(dir));
  const vars: Record<string, string> = {
    name,
    model: 'model.joblib',
    estimator: 'unknown (run ramp inspect)',
    sklearn_version: 'unknown',
    n_features: '4',
    feature_names: '[]',
    columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((c) => `    - { name: ${c}, datatype: FP64 }`).join('\n'),
    request: JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP64', data: [[5.1, 3.5, 1.4, 0.2]] }] }, null, 2),
  };
  if (modelFile) {
    const { model } = loadModel(o.fs, modelFile, limitsOf(p));
    vars.model = basename(modelFile);
    vars.estimator = model.estimator;
    vars.sklearn_version = model.sklearnVersion ?? 'unknown';
    vars.n_features = String(model.nFeatures);
    vars.feature_names = JSON.stringify(model.featureNames ?? []);
    vars.columns = model.inputs.map((c, j) => `    - { name: ${JSON.stringify(c.name ?? `feature ${j}`)}, datatype: ${c.kind === 'string' ? 'BYTES' : 'FP64'} }`).join('\n');
    vars.request = JSON.stringify(exampleRequest(model), null, 2);
  }
  const written: string[] = [];
  for (const [rel, text] of Object.entries(tpl)) {
    const dest = join(dir, rel);
    o.fs.mkdir(dirname(dest), { recursive: true });
    o.fs.writeFile(dest, fillTemplate(text, vars));
    written.push(rel);
  }
  if (o.json) printJson(o, { template: tname, dir, files: written });
  else {
    print(o, `${green(o, 'Created')} ${dir} from template ${tname}:`);
    for (const f of written) print(o, `  ${f}`);
    print(o, `Next: read ${join(p.pos[1] ?? tname, 'README.md')}, then \`ramp scan <your model>\`.`);
  }
  return EXIT.OK;
}
