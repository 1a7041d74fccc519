// `ramp pipeline check`: a pipeline project against the platform team's conventions. Every
// violation names the file, the field, the rule (its key in conventions.yaml) and how to fix it.

import { lintContract } from '../contracts/contract.ts';
import { insideProject, readYamlFile } from '../data-files.ts';
import { exists } from '../files.ts';
import type { Conventions } from './conventions.ts';
import { PIPELINE_FILE, type Project } from './spec.ts';

export interface Violation {
  file: string;
  field: string;
  /** The rule, as its path in conventions.yaml (e.g. `name.pattern`). */
  rule: string;
  message: string;
  fix: string;
}

type Obj = Record<string, unknown>;
type Add = (field: string, rule: string, message: string, fix: string) => void;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));

function checkName(raw: Obj, c: Conventions, add: Add): void {
  const name = raw.name;
  if (typeof name !== 'string' || !name) return add('name', 'name.pattern', 'is missing', `Name the pipeline ${c.name.shape}, e.g. ${c.name.example}.`);
  const m = new RegExp(c.name.pattern, 'u').exec(name);
  if (!m) add('name', 'name.pattern', `"${name}" is not ${c.name.shape}`, `Rename it ${c.name.shape} (pattern: ${c.name.pattern}), e.g. ${c.name.example}.`);
  if (name.length > c.name.max_length) add('name', 'name.max_length', `"${name}" is ${name.length} characters; at most ${c.name.max_length}`, 'Shorten the source or entity part.');
  const domain = m?.groups?.domain;
  if (domain && c.name.domains && !c.name.domains.includes(domain)) add('name', 'name.domains', `domain "${domain}" is not a registered domain`, `Start the name with one of: ${c.name.domains.join(', ')}.`);
}

function checkOwner(raw: Obj, c: Conventions, add: Add): void {
  const owner = isObj(raw.owner) ? raw.owner : {};
  if (!isObj(raw.owner) && (c.owner.team.required || c.owner.oncall.required)) return add('owner', 'owner', `is ${show(raw.owner)}`, `Add an owner block: \`owner: { team: ${c.owner.team.allowed?.[0] ?? '<team id>'}, oncall: "${c.owner.oncall.example ?? '#<alert-channel>'}" }\`.`);
  const team = owner.team;
  if (team === undefined || team === '') {
    if (c.owner.team.required) add('owner.team', 'owner.team.required', 'is missing', `Name the owning team (a team, not a person)${c.owner.team.allowed ? `: one of ${c.owner.team.allowed.join(', ')}` : ''}.`);
  } else if (typeof team !== 'string' || (c.owner.team.allowed && !c.owner.team.allowed.includes(team))) {
    add('owner.team', 'owner.team.allowed', `${show(team)} is not a registered team`, `Use one of: ${c.owner.team.allowed?.join(', ')}. A person's name is never an owner.`);
  } else if (c.owner.team.pattern && !new RegExp(c.owner.team.pattern, 'u').test(team)) {
    add('owner.team', 'owner.team.pattern', `"${team}" does not match ${c.owner.team.pattern}`, 'Use the team\'s id.');
  }
  const oncall = owner.oncall;
  if (oncall === undefined || oncall === '') {
    if (c.owner.oncall.required) add('owner.oncall', 'owner.oncall.required', 'is missing', `Say where failures page, e.g. oncall: "${c.owner.oncall.example ?? '#team-alerts'}".`);
  } else if (c.owner.oncall.pattern && (typeof oncall !== 'string' || !new RegExp(c.owner.oncall.pattern, 'u').test(oncall))) {
    add('owner.oncall', 'owner.oncall.pattern', `${show(oncall)} does not match ${c.owner.oncall.pattern}`, `Use the team's alert channel, e.g. "${c.owner.oncall.example ?? '#team-alerts'}" (quoted: # starts a YAML comment).`);
  }
}

function checkTags(raw: Obj, c: Conventions, add: Add): void {
  const tags = raw.tags === undefined ? [] : raw.tags;
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) return add('tags', 'tags', `is ${show(raw.tags)}`, 'Write tags as a list of words, e.g. `tags: [tier2, mart]`.');
  const groups = Object.entries(c.tags.groups);
  for (const [g, rule] of groups) {
    const got = tags.filter((t) => rule.values.includes(t));
    if (got.length === 0 && rule.required) add('tags', `tags.groups.${g}`, `has no ${g} tag`, `Add exactly one of: ${rule.values.join(', ')}.`);
    if (got.length > 1) add('tags', `tags.groups.${g}`, `has ${got.length} ${g} tags (${got.join(', ')})`, `Keep exactly one of: ${rule.values.join(', ')}.`);
  }
  if (!c.tags.allow_other) {
    for (const t of tags) if (!groups.some(([, r]) => r.values.includes(t))) add('tags', 'tags.allow_other', `"${t}" is not an allowed tag`, `Allowed tags: ${groups.map(([, r]) => r.values.join(', ')).join('; ')}.`);
  }
}

const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;

function checkSchedule(raw: Obj, c: Conventions, add: Add): void {
  const s = isObj(raw.schedule) ? raw.schedule : null;
  if (!s) return add('schedule', 'schedule', `is ${show(raw.schedule)}`, `Add \`schedule: { cron: "0 3 * * *", timezone: ${c.schedule.timezone ?? 'UTC'}, catchup: ${c.schedule.catchup ?? false}, max_active_runs: ${c.schedule.max_active_runs ?? 1} }\`.`);
  const cron = s.cron;
  const okCron = typeof cron === 'string' && (c.schedule.presets.includes(cron) || (cron.trim().split(/\s+/).length === 5 && cron.trim().split(/\s+/).every((f) => CRON_FIELD.test(f))));
  if (!okCron) add('schedule.cron', 'schedule.presets', `${show(cron)} is not a five-field cron expression${c.schedule.presets.length ? ` or one of ${c.schedule.presets.join(', ')}` : ''}`, 'e.g. cron: "0 3 * * *" (03:00 every day).');
  if (c.schedule.timezone !== undefined && s.timezone !== c.schedule.timezone) add('schedule.timezone', 'schedule.timezone', `is ${show(s.timezone)}; schedules are in ${c.schedule.timezone}`, `Set timezone: ${c.schedule.timezone} and convert the hour.`);
  if (c.schedule.catchup !== undefined && s.catchup !== c.schedule.catchup) add('schedule.catchup', 'schedule.catchup', `is ${show(s.catchup)}; must be ${c.schedule.catchup}`, c.schedule.catchup ? 'Set catchup: true.' : 'Set catchup: false: backfills are explicit, with `ramp pipeline run --from --to`.');
  if (c.schedule.max_active_runs !== undefined && s.max_active_runs !== c.schedule.max_active_runs) add('schedule.max_active_runs', 'schedule.max_active_runs', `is ${show(s.max_active_runs)}; must be ${c.schedule.max_active_runs}`, `Set max_active_runs: ${c.schedule.max_active_runs} so two runs never write the same partition.`);
}

function checkOutput(project: Project, out: unknown, i: number, c: Conventions, add: Add, contractIssues: Violation[]): void {
  const at = `outputs.${i}`;
  if (!isObj(out)) return add(at, 'outputs', 'must be a mapping (name, path, format, partition_by, write, contract)', 'See the pipeline template.');
  const o = c.outputs;
  if (!o.write_modes.includes(out.write as never)) add(`${at}.write`, 'outputs.write_modes', `is ${show(out.write)}`, `Use write: ${o.write_modes.join(' or ')}${out.write === 'append' ? ': appending adds the same rows again on every re-run' : ''}.`);
  if (!o.partition_by.includes(out.partition_by as string)) add(`${at}.partition_by`, 'outputs.partition_by', `is ${show(out.partition_by)}`, `Partition by ${o.partition_by.join(' or ')}.`);
  if (!o.formats.includes((out.format ?? 'csv') as never)) add(`${at}.format`, 'outputs.formats', `is ${show(out.format)}`, `Use format: ${o.formats.join(' or ')}.`);
  if (typeof out.path === 'string') insideProject(project.fs, project.dir, out.path, PIPELINE_FILE, `${at}.path`);
  if (typeof out.path !== 'string' || !out.path.startsWith(o.path_prefix)) add(`${at}.path`, 'outputs.path_prefix', `is ${show(out.path)}`, `Write outputs under ${o.path_prefix}, e.g. ${o.path_prefix}${String(out.name ?? 'my_output')}.`);
  const name = typeof out.name === 'string' ? out.name : '';
  const want = c.contracts.path?.replaceAll('{output}', name);
  if (out.contract === undefined) {
    if (c.contracts.required) add(`${at}.contract`, 'contracts.required', 'is missing: the output publishes no data contract', `Write the contract at ${want ?? 'contracts/<output>.yaml'} and set contract: ${want ?? 'contracts/<output>.yaml'}.`);
    return;
  }
  if (typeof out.contract !== 'string') return add(`${at}.contract`, 'contracts.path', 'must be a path', `contract: ${want}`);
  if (want && out.contract !== want) add(`${at}.contract`, 'contracts.path', `is ${out.contract}; contracts live at ${c.contracts.path}`, `Move the contract to ${want}.`);
  const file = insideProject(project.fs, project.dir, out.contract, PIPELINE_FILE, `${at}.contract`);
  if (!exists(project.fs, file)) return add(`${at}.contract`, 'contracts.required', `${out.contract} does not exist`, `Write it: an Open Data Contract Standard file (see the template's ${want ?? 'contract'}), then \`ramp contract lint ${out.contract}\`.`);
  const { issues } = lintContract(readYamlFile(project.fs, file, out.contract));
  for (const is of issues) contractIssues.push({ file: out.contract, field: is.field, rule: 'contracts.valid', message: is.message, fix: is.fix });
}

/** Every convention the project breaks (an empty list: it passes). */
export function checkProject(project: Project, c: Conventions): Violation[] {
  const found: Violation[] = [];
  const add: Add = (field, rule, message, fix) => void found.push({ file: PIPELINE_FILE, field, rule, message, fix });
  const raw = project.raw;
  checkName(raw, c, add);
  checkOwner(raw, c, add);
  checkTags(raw, c, add);
  checkSchedule(raw, c, add);
  if (typeof raw.transform === 'string') {
    const t = insideProject(project.fs, project.dir, raw.transform, PIPELINE_FILE, 'transform');
    if (!exists(project.fs, t)) add('transform', 'transform', `${raw.transform} does not exist`, 'Point transform at the script that turns a day of input into output rows.');
  } else add('transform', 'transform', `is ${show(raw.transform)}`, 'Set transform: transform.mjs (the script ramp pipeline run calls).');
  const contractIssues: Violation[] = [];
  if (!Array.isArray(raw.outputs) || raw.outputs.length === 0) add('outputs', 'outputs', `is ${show(raw.outputs)}`, 'List what the pipeline writes, each with name, path, partition_by, write and contract.');
  else raw.outputs.forEach((o, i) => checkOutput(project, o, i, c, add, contractIssues));
  if (Array.isArray(raw.inputs)) raw.inputs.forEach((inp, i) => { if (isObj(inp) && typeof inp.path === 'string') insideProject(project.fs, project.dir, inp.path.replaceAll('{date}', '2000-01-01'), PIPELINE_FILE, `inputs.${i}.path`); });
  return [...found, ...contractIssues];
}

/** The rules as lines a person reads: what `ramp pipeline check` enforces, from conventions.yaml. */
export function describeRules(c: Conventions): Array<[string, string]> {
  const groups = Object.entries(c.tags.groups);
  const rules: Array<[string, string]> = [
    ['name', `${c.name.shape}, at most ${c.name.max_length} characters, e.g. ${c.name.example}${c.name.domains ? `; domains: ${c.name.domains.join(', ')}` : ''}`],
    ['owner.team', `${c.owner.team.required ? 'required' : 'optional'}, a team, never a person${c.owner.team.allowed ? `: ${c.owner.team.allowed.join(', ')}` : ''}`],
    ['owner.oncall', `${c.owner.oncall.required ? 'required' : 'optional'}, an alert channel${c.owner.oncall.example ? `, e.g. ${c.owner.oncall.example}` : ''}`],
    ...groups.map(([g, r]): [string, string] => [`tags: ${g}`, `${r.required ? 'exactly one' : 'at most one'} of ${r.values.join(', ')}`]),
    ['tags: others', c.tags.allow_other ? 'allowed' : 'refused'],
    ['schedule', [`five-field cron${c.schedule.presets.length ? ` or ${c.schedule.presets.join(', ')}` : ''}`, c.schedule.timezone && `timezone ${c.schedule.timezone}`, c.schedule.catchup !== undefined && `catchup ${c.schedule.catchup}`, c.schedule.max_active_runs !== undefined && `max_active_runs ${c.schedule.max_active_runs}`].filter(Boolean).join(', ')],
    ['outputs.write', c.outputs.write_modes.join(' or ')],
    ['outputs.partition_by', c.outputs.partition_by.join(' or ')],
    ['outputs.format', c.outputs.formats.join(' or ')],
    ['outputs.path', `under ${c.outputs.path_prefix || 'the project folder'}`],
    ['outputs.contract', `${c.contracts.required ? 'required' : 'optional'}${c.contracts.path ? `, at ${c.contracts.path}` : ''}, a valid ODCS v3 contract`],
  ];
  return rules;
}

