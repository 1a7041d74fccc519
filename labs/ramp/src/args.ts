// ramp's command line: flags, which command takes which, and the checks every command shares.
import { UsageError } from './errors.ts';
import { DEFAULT_LIMITS, type Limits } from './unpickler.ts';
import { DATA_COMMANDS } from './commands/data.ts';
import { HELP } from './help.ts';

const RELEASE_VALUE_FLAGS = ['--baseline', '--data', '--target', '--slice', '--config', '--metric', '--tolerance', '--threshold', '--min-slice-rows', '--reference', '--current', '--share', '--traffic', '--log-predictions'];

export interface Parsed {
  cmd: string | null;
  pos: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['--input', '--port', '--host', '--name', '--max-bytes', '--max-body', '--model', '--key', '--fault', '--expect', '--against', ...RELEASE_VALUE_FLAGS]);
const BOOL_FLAGS = new Set(['--json', '--no-color', '--proba', '--help', '--version', '--markdown']);
/** Flags that may be given more than once: their values are joined with newlines. */
const REPEAT_FLAGS = new Set(['--fault', '--slice']);
const ALIASES: Record<string, string> = { '-h': '--help', '-v': '--version', '-i': '--input', '-p': '--port' };
export const COMMAND_FLAGS: Record<string, string[]> = {
  inspect: ['--max-bytes', '--key'],
  scan: ['--max-bytes', '--key'],
  predict: ['--input', '--proba', '--max-bytes', '--key'],
  serve: ['--name', '--port', '--host', '--max-body', '--max-bytes', '--key', '--fault', '--traffic', '--log-predictions'],
  init: ['--model', '--name', '--max-bytes', '--key'],
  contract: ['--expect', '--against', '--name', '--key', '--max-bytes'],
  validate: ['--baseline', '--data', '--target', '--slice', '--config', '--metric', '--tolerance', '--threshold', '--min-slice-rows', '--markdown'],
  drift: ['--reference', '--current', '--model', '--config', '--share', '--markdown'],
};

// The data engineer's commands (pipeline, contract): one block, see commands/data.ts.
for (const c of DATA_COMMANDS) {
  // `contract` is shared with the model contract (export|check): both sets of flags.
  COMMAND_FLAGS[c.name] = [...new Set([...(COMMAND_FLAGS[c.name] ?? []), ...c.flags, '--max-bytes'])];
  for (const f of c.valueFlags) VALUE_FLAGS.add(f);
}

export function parseArgs(argv: string[]): Parsed {
  const flags = new Map<string, string | true>();
  const pos: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    if (a === '-') { pos.push(a); continue; }
    if (a === '--') { pos.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('-')) {
      let val: string | undefined;
      const eq = a.indexOf('=');
      if (a.startsWith('--') && eq > 0) { val = a.slice(eq + 1); a = a.slice(0, eq); }
      a = ALIASES[a] ?? a;
      if (VALUE_FLAGS.has(a)) {
        if (val === undefined) {
          val = argv[++i];
          if (val === undefined) throw new UsageError(`${a} needs a value`);
        }
        flags.set(a, REPEAT_FLAGS.has(a) && flags.has(a) ? `${flags.get(a) as string}\n${val}` : val);
      } else if (BOOL_FLAGS.has(a)) {
        if (val !== undefined) throw new UsageError(`${a} takes no value`);
        flags.set(a, true);
      } else {
        throw new UsageError(`unknown option ${a}`);
      }
      continue;
    }
    pos.push(a);
  }
  const cmd = pos.shift() ?? null;
  return { cmd, pos, flags };
}

export function intFlag(p: Parsed, name: string, def: number, min: number, max: number): number {
  const v = p.flags.get(name);
  if (v === undefined) return def;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || n < min || n > max) throw new UsageError(`${name} must be an integer between ${min} and ${max}, got ${String(v)}`);
  return n;
}

export function limitsOf(p: Parsed): Partial<Limits> {
  const mb = intFlag(p, '--max-bytes', DEFAULT_LIMITS.maxInputBytes, 1, 2 ** 32);
  return { maxInputBytes: mb, maxDecompressedBytes: mb, maxAllocBytes: Math.max(DEFAULT_LIMITS.maxAllocBytes, mb * 2) };
}

export function onePositional(p: Parsed, what: string): string {
  if (p.pos.length === 0) throw new UsageError(`missing ${what}`, `Usage: ${HELP[p.cmd!]!.split('\n')[0]!.replace('Usage: ', '')}`);
  if (p.pos.length > 1) throw new UsageError(`unexpected argument ${p.pos[1]}`);
  return p.pos[0]!;
}

export const keyOf = (p: Parsed): string | undefined => p.flags.get('--key') as string | undefined;
