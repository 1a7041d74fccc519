// `ramp init pipeline [dir] --name NAME`: a pipeline project that passes the conventions.
import { EXIT, RampError, UsageError } from '../errors.ts';
import { exists, isDirectory } from '../files.ts';
import { dirname, join, relative, resolve } from '../path.ts';
import { loadConventions } from '../pipeline/conventions.ts';
import { fillTemplate, loadTemplates } from '../templates.ts';
import { green, print, printJson, type CommandArgs, type Out } from './output.ts';

export async function cmdInitPipeline(a: CommandArgs, o: Out): Promise<number> {
  if (a.pos.length > 1) throw new UsageError(`unexpected argument ${a.pos[1]}`);
  const { conventions: c } = loadConventions();
  const name = (a.flags.get('--name') as string | undefined) ?? c.name.example;
  const m = new RegExp(c.name.pattern, 'u').exec(name);
  const domain = m?.groups?.domain;
  if (!m || !domain || name.length > c.name.max_length || (c.name.domains && !c.name.domains.includes(domain))) {
    throw new UsageError(`--name "${name}" does not follow the naming convention`, `Name it ${c.name.shape}, e.g. ${c.name.example}${c.name.domains ? `; domains: ${c.name.domains.join(', ')}` : ''}. \`ramp pipeline rules\` lists every rule.`);
  }
  const entity = m.groups?.entity ?? 'output';
  const dir = resolve(o.io.cwd, a.pos[0] ?? name);
  if (exists(o.fs, dir) && (!isDirectory(o.fs, dir) || o.fs.readdir(dir).length > 0)) {
    throw new RampError(`${dir} is not an empty folder; refusing to overwrite it`, { code: 'dir_not_empty', hint: `Choose a new folder, e.g. \`ramp init pipeline ${name} --name ${name}\`.` });
  }
  const vars: Record<string, string> = {
    name,
    domain,
    source: m.groups?.source ?? '',
    output: entity,
    team: c.owner.team.allowed?.[0] ?? 'my-team',
    oncall: c.owner.oncall.example ?? '#my-team-alerts',
    tier: c.tags.groups.tier?.values[1] ?? c.tags.groups.tier?.values[0] ?? 'tier2',
    layer: c.tags.groups.layer?.values.includes('mart') ? 'mart' : (c.tags.groups.layer?.values[0] ?? 'mart'),
    timezone: c.schedule.timezone ?? 'UTC',
    catchup: String(c.schedule.catchup ?? false),
    max_active_runs: String(c.schedule.max_active_runs ?? 1),
    write: c.outputs.write_modes.includes('replace-partition') ? 'replace-partition' : c.outputs.write_modes[0]!,
    partition_by: c.outputs.partition_by[0]!,
    output_dir: `${c.outputs.path_prefix}${entity}`,
    contract: (c.contracts.path ?? 'contracts/{output}.yaml').replaceAll('{output}', entity),
  };
  const written: string[] = [];
  for (const [rel, text] of Object.entries(loadTemplates().pipeline ?? {})) {
    const to = fillTemplate(rel === 'contract.yaml' ? vars.contract! : rel, vars);
    const dest = join(dir, to);
    o.fs.mkdir(dirname(dest), { recursive: true });
    o.fs.writeFile(dest, fillTemplate(text, vars));
    written.push(to);
  }
  if (o.json) printJson(o, { template: 'pipeline', dir, name, files: written });
  else {
    print(o, `${green(o, 'Created')} ${relative(o.io.cwd, dir) || '.'} (pipeline ${name}):`);
    for (const f of written.sort()) print(o, `  ${f}`);
    print(o, `Next: cd ${relative(o.io.cwd, dir) || '.'} && ramp pipeline check && ramp pipeline run --date 2026-03-01`);
  }
  return EXIT.OK;
}
