// `ramp contract test|lint|diff`: data contracts (Open Data Contract Standard, v3).
// Issue 13's model contracts (`contract export|check`) can join CONTRACT_SUBCOMMANDS.
import { EXIT, UsageError } from '../errors.ts';
import { EXIT_NOT_MET, readYamlFile } from '../data-files.ts';
import { lintContract, loadContract } from '../contracts/contract.ts';
import { diffContracts } from '../contracts/diff.ts';
import { testData } from '../contracts/test-data.ts';
import type { RuleResult } from '../contracts/check-rows.ts';
import { checkDate } from '../pipeline/run.ts';
import { bold, dim, green, plural, print, printJson, red, yellow, type CommandArgs, type Out } from './output.ts';

export const CONTRACT_HELP = `Usage: ramp contract <test|lint|diff> ...

  test CONTRACT DATA [--as-of YYYY-MM-DD]   Check a data file (CSV with a header, or JSON lines:
                                            .jsonl/.ndjson; - reads standard input) against the
                                            contract, streamed: each failed rule with its count
                                            and example rows. Freshness is checked with --as-of.
  lint CONTRACT                             Check the contract itself
  diff OLD NEW                              What changed, which changes break consumers, and
                                            whether the version says so

Contracts are Open Data Contract Standard (v3) YAML files: one table under schema, columns
with logicalType, required, unique, primaryKey, logicalTypeOptions (minimum, maximum, pattern,
minLength, maxLength) and invalidValues quality rules (validValues); a rowCount rule; a
freshness SLA. --max-bytes sets the longest record read (default 1 MiB).

Exit codes: 0 ok · 1 cannot read · 2 usage · 4 malformed YAML/data, an invalid contract given to test, or over a limit · 6 data fails the contract, the contract fails lint, or a change is not announced by its version (a breaking change without a major version)`;

function args(a: CommandArgs, n: number, usage: string): string[] {
  if (a.pos.length < n) throw new UsageError(`missing ${usage.split(' ').slice(a.pos.length).join(' ')}`, `Usage: ramp contract ${usage}`);
  if (a.pos.length > n) throw new UsageError(`unexpected argument ${a.pos[n]}`, `Usage: ramp contract ${usage}`);
  return a.pos;
}

function ruleLine(r: RuleResult): string {
  const ex = r.examples.filter((e) => e.row > 0).map((e) => `row ${e.row}: ${JSON.stringify(e.value)}`);
  const other = r.examples.filter((e) => e.row === 0).map((e) => e.value);
  const what = `${r.column ? `${r.column}  ` : ''}${r.rule} (${r.expects})`;
  const n = ex.length ? `${plural(r.failed, 'row')}, e.g. ${ex.join('; ')}` : other.join('; ');
  return `  ${what}: ${n}`;
}

async function cmdTest(a: CommandArgs, o: Out): Promise<number> {
  const [file, data] = args(a, 2, 'test CONTRACT DATA');
  const contract = loadContract(o.fs, file!);
  const asOfFlag = a.flags.get('--as-of') as string | undefined;
  const asOf = asOfFlag ? Date.parse(`${checkDate(asOfFlag, '--as-of')}T23:59:59Z`) : undefined;
  const maxFlag = a.flags.get('--max-bytes') as string | undefined;
  const maxRecord = maxFlag && /^\d+$/.test(maxFlag) ? Number(maxFlag) : undefined;
  const report = await testData({ fs: o.fs, stdin: o.io.stdin }, contract, data!, { asOf, maxRecord });
  const failed = report.rules.filter((r) => r.failed > 0);
  if (o.json) {
    printJson(o, { contract: contract.id, version: contract.version, data, ok: failed.length === 0, rows: report.rows, rules: report.rules.map((r) => ({ rule: r.rule, column: r.column, expects: r.expects, passed: r.failed === 0, failed: r.failed, examples: r.examples })), skipped: report.skipped });
  } else {
    const head = `${data} against ${contract.id} ${contract.version}: ${plural(report.rows, 'row')}, ${plural(report.rules.length, 'rule')}`;
    if (failed.length === 0) print(o, `${green(o, '✓')} ${head}, all met`);
    else {
      print(o, `${red(o, `✗ ${failed.length} of ${plural(report.rules.length, 'rule')} failed:`)} ${data} against ${contract.id} ${contract.version} (${plural(report.rows, 'row')})`);
      for (const r of failed) print(o, ruleLine(r));
    }
    for (const s of report.skipped) print(o, dim(o, `  skipped: ${s}`));
  }
  return failed.length ? EXIT_NOT_MET : EXIT.OK;
}

function cmdLint(a: CommandArgs, o: Out): number {
  const [file] = args(a, 1, 'lint CONTRACT');
  const { contract, issues } = lintContract(readYamlFile(o.fs, file!));
  if (o.json) printJson(o, { contract: file, ok: issues.length === 0, issues });
  else if (contract) print(o, `${green(o, '✓')} ${file} is a valid contract: ${contract.id} ${contract.version}, table ${contract.table}, ${plural(contract.columns.length, 'column')}`);
  else {
    print(o, `${red(o, `✗ ${plural(issues.length, 'problem')}`)} in ${file}`);
    for (const i of issues) print(o, `  ${bold(o, i.field)}  ${i.message}\n    ${yellow(o, 'fix:')} ${i.fix}`);
  }
  return issues.length ? EXIT_NOT_MET : EXIT.OK;
}

function cmdDiff(a: CommandArgs, o: Out): number {
  const [oldFile, newFile] = args(a, 2, 'diff OLD NEW');
  const before = loadContract(o.fs, oldFile!), after = loadContract(o.fs, newFile!);
  const d = diffContracts(before, after);
  if (o.json) printJson(o, { from: before.version, to: after.version, ...d });
  else {
    const nb = d.changes.filter((c) => c.breaking).length;
    print(o, `${bold(o, before.id)} ${before.version} → ${after.version}: ${plural(d.changes.length, 'change')}, ${nb} breaking`);
    for (const c of d.changes) print(o, `  ${c.breaking ? red(o, 'breaking') : dim(o, 'ok      ')}  ${c.column ? `${c.column}: ` : ''}${c.what}`);
    if (d.versionProblem) print(o, `${red(o, '✗')} ${d.versionProblem}${d.suggested ? `; use ${d.suggested}` : ''}`);
    else if (d.breaking) print(o, `${yellow(o, '!')} announced by major version ${after.version}: ship it as expand, migrate, contract, and tell every consumer`);
    else print(o, `${green(o, '✓')} ${d.changes.length ? 'no breaking change' : 'no change'}`);
  }
  return d.versionProblem ? EXIT_NOT_MET : EXIT.OK;
}

/** Subcommands of `ramp contract`, with the options each takes. */
export const CONTRACT_SUBCOMMANDS: Record<string, { flags: string[]; run: (a: CommandArgs, o: Out) => number | Promise<number> }> = {
  test: { flags: ['--as-of', '--max-bytes'], run: cmdTest },
  lint: { flags: [], run: cmdLint },
  diff: { flags: [], run: cmdDiff },
};

export async function cmdContract(a: CommandArgs, o: Out): Promise<number> {
  const sub = a.pos[0];
  const entry = sub ? CONTRACT_SUBCOMMANDS[sub] : undefined;
  if (!entry) throw new UsageError(sub ? `unknown contract command "${sub}"` : 'missing contract command', `Commands: ramp contract ${Object.keys(CONTRACT_SUBCOMMANDS).join(' | ')}. Run \`ramp contract --help\`.`);
  for (const f of a.flags.keys()) if (!['--json', '--no-color', ...entry.flags].includes(f)) throw new UsageError(`option ${f} does not apply to ramp contract ${sub}`, 'Run `ramp contract --help`.');
  return entry.run({ pos: a.pos.slice(1), flags: a.flags }, o);
}
