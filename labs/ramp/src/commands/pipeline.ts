// `ramp pipeline check|run|rules` and `ramp init pipeline`: the data engineer's pipeline commands.
import { EXIT, UsageError } from '../errors.ts';
import { resolve } from '../path.ts';
import { EXIT_NOT_MET } from '../data-files.ts';
import { checkProject, describeRules } from '../pipeline/check.ts';
import { loadConventions, type Conventions } from '../pipeline/conventions.ts';
import { checkDate, runRange, type DateResult } from '../pipeline/run.ts';
import { readProject } from '../pipeline/spec.ts';
import { bold, dim, green, pairs, plural, print, printJson, red, yellow, type CommandArgs, type Out } from './output.ts';

export const PIPELINE_HELP = `Usage: ramp pipeline <check|run|rules> [dir] [options]

  check [dir] [--conventions FILE]   Lint pipeline.yaml (and its contracts) against the house
                                     conventions: every violation with the file, the field, the
                                     rule and how to fix it
  run [dir] --date YYYY-MM-DD        Run the transformation for one date and replace that date's
                                     partition atomically (a re-run never duplicates rows)
  run [dir] --from D1 --to D2        Backfill a range, in order; run it again after a failure and
                                     it resumes at the first date not done
  rules [--conventions FILE]         Print the conventions the check enforces

dir is the project folder (default: the current one). The conventions are the platform team's
labs/templates/conventions.yaml, built into ramp; --conventions reads another copy.
A run checks each partition against the output's data contract before publishing it.

Exit codes: 0 ok · 1 error (missing input) · 2 usage · 3 a path leaves the project folder · 4 malformed YAML/CSV or over a limit · 6 conventions not met, or a partition fails its contract (not published)`;

function conventionsOf(a: CommandArgs, o: Out): { conventions: Conventions; source: string } {
  return loadConventions(o.fs, a.flags.get('--conventions') as string | undefined);
}

function projectDir(a: CommandArgs, o: Out, max = 1): string {
  if (a.pos.length > max) throw new UsageError(`unexpected argument ${a.pos[max]}`, 'Run `ramp pipeline --help`.');
  return resolve(o.io.cwd, a.pos[0] ?? '.');
}

function cmdCheck(a: CommandArgs, o: Out): number {
  const dir = projectDir(a, o);
  const { conventions, source } = conventionsOf(a, o);
  const project = readProject(o.fs, dir);
  const violations = checkProject(project, conventions);
  const name = typeof project.raw.name === 'string' ? project.raw.name : '(no name)';
  if (o.json) {
    printJson(o, { pipeline: name, conventions: source, ok: violations.length === 0, violations });
  } else if (violations.length === 0) {
    print(o, `${green(o, '✓')} ${name} meets the conventions`);
    print(o, dim(o, `  rules: ${source}`));
  } else {
    print(o, `${red(o, `✗ ${plural(violations.length, 'convention')} not met`)} by ${name}`);
    for (const v of violations) {
      print(o, `  ${bold(o, `${v.file} › ${v.field}`)}  ${dim(o, `[${v.rule}]`)}`);
      print(o, `    ${v.message}`);
      print(o, `    ${yellow(o, 'fix:')} ${v.fix}`);
    }
    print(o, dim(o, `  rules: ${source}; see them with \`ramp pipeline rules\``));
  }
  return violations.length ? EXIT_NOT_MET : EXIT.OK;
}

function cmdRules(a: CommandArgs, o: Out): number {
  if (a.pos.length) throw new UsageError(`unexpected argument ${a.pos[0]}`, 'Run `ramp pipeline --help`.');
  const { conventions, source } = conventionsOf(a, o);
  const rules = describeRules(conventions);
  if (o.json) printJson(o, { conventions: source, rules: Object.fromEntries(rules), raw: conventions });
  else {
    print(o, `Conventions (${source}):`);
    print(o, pairs(rules, o));
  }
  return EXIT.OK;
}

function dateLine(r: DateResult, o: Out): string[] {
  return r.outputs.map((x) => {
    const was = x.before === null ? 'new partition' : `was ${plural(x.before, 'row')}`;
    const verb = x.mode === 'append' ? `appended ${plural(x.rows, 'row')}` : `replaced with ${plural(x.rows, 'row')}`;
    const dup = x.mode === 'append' && x.before !== null && x.before > 0 ? `  ${yellow(o, '← re-run added rows again')}` : '';
    return `${r.date}  ${x.output}  ${verb} (${was}, now ${x.after})  ${dim(o, x.partition)}${dup}`;
  });
}

async function cmdRun(a: CommandArgs, o: Out): Promise<number> {
  const dir = projectDir(a, o);
  const date = a.flags.get('--date') as string | undefined;
  const from = a.flags.get('--from') as string | undefined;
  const to = a.flags.get('--to') as string | undefined;
  if (date && (from || to)) throw new UsageError('use either --date or --from/--to', 'One date: --date 2026-03-02. A range: --from 2026-03-01 --to 2026-03-07.');
  if (!date && !(from && to)) throw new UsageError(from || to ? 'a range needs both --from and --to' : 'missing --date (or --from and --to)', 'A run processes the date you give it; it never reads the clock. e.g. --date 2026-03-02');
  const [start, end] = date ? [checkDate(date, '--date'), date] : [checkDate(from!, '--from'), checkDate(to!, '--to')];
  if (end < start) throw new UsageError(`--to ${end} is before --from ${start}`);
  const project = readProject(o.fs, dir);
  const results = await runRange(project, start, end, {
    onStart: (dates, skipped) => {
      if (o.json || dates.length === 1) return;
      print(o, `Backfilling ${start} → ${end}: ${plural(dates.length, 'date')}, in order`);
      if (skipped.length) print(o, dim(o, `  resuming: ${skipped.length} of ${dates.length} done by an earlier run of this range (${skipped[0]}…${skipped[skipped.length - 1]})`));
    },
    onDate: (r) => { if (!o.json) for (const l of dateLine(r, o)) print(o, l); },
  }, o.io.importModule);
  if (o.json) printJson(o, { from: start, to: end, dates: results });
  return EXIT.OK;
}

export async function cmdPipeline(a: CommandArgs, o: Out): Promise<number> {
  const sub = a.pos[0];
  const rest: CommandArgs = { pos: a.pos.slice(1), flags: a.flags };
  const allowed: Record<string, string[]> = { check: ['--conventions'], run: ['--date', '--from', '--to'], rules: ['--conventions'] };
  if (!sub || !(sub in allowed)) throw new UsageError(sub ? `unknown pipeline command "${sub}"` : 'missing pipeline command', 'Commands: ramp pipeline check | run | rules. Run `ramp pipeline --help`.');
  for (const f of a.flags.keys()) if (!['--json', '--no-color', ...allowed[sub]!].includes(f)) throw new UsageError(`option ${f} does not apply to ramp pipeline ${sub}`, 'Run `ramp pipeline --help`.');
  if (sub === 'check') return cmdCheck(rest, o);
  if (sub === 'rules') return cmdRules(rest, o);
  return cmdRun(rest, o);
}
