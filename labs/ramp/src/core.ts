// ramp's host-agnostic core: run(argv, io) is the whole CLI — the same commands, output and exit
// codes on Node (cli.ts builds a RampIO from node:fs and process) and in a browser tab (a
// MemoryFs and the tab's network). Nothing here imports node:* or touches process or Buffer; every
// command gets this run's io, so two runs in one realm never write to each other's streams.
import type { RampIO } from './host.ts';
import { EXIT, InputError, MalformedPickleError, RampError, UnsafePickleError, UsageError } from './errors.ts';
import { cwdFs } from './files.ts';
import { COMMAND_FLAGS, parseArgs, type Parsed } from './args.ts';
import { HELP } from './help.ts';
import { VERSION } from './version.ts';
import { DATA_COMMANDS } from './commands/data.ts';
import { cmdDrift } from './commands/drift.ts';
import { cmdInit } from './commands/init.ts';
import { cmdInitPipeline } from './commands/init-pipeline.ts';
import { cmdInitServiceClient } from './commands/init-service-client.ts';
import { cmdInspect, cmdScan } from './commands/inspect.ts';
import { findingJson } from './commands/model-load.ts';
import { cmdModelContract } from './commands/model-contract.ts';
import { dim, print, red, type Out } from './commands/output.ts';
import { cmdPredict } from './commands/predict.ts';
import { cmdServe } from './commands/serve.ts';
import { cmdValidate } from './commands/validate.ts';

export type * from './host.ts';
export { DropConnection } from './host.ts';
export { VERSION };

/** Runs one ramp command line; resolves with its exit code. */
export async function run(argv: string[], io: RampIO): Promise<number> {
  const noColorEnv = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  const o: Out = { json: argv.includes('--json'), color: io.stdout.isTTY && !noColorEnv && !argv.includes('--no-color'), io, fs: cwdFs(io.fs, io.cwd) };
  try {
    const p = parseArgs(argv);
    if (p.flags.has('--version')) { print(o, o.json ? JSON.stringify({ version: VERSION }) : `ramp ${VERSION}`); return EXIT.OK; }
    if (!p.cmd) {
      if (p.flags.has('--help')) { print(o, HELP.main!); return EXIT.OK; }
      throw new UsageError('missing command', 'Run `ramp --help` to see the commands.');
    }
    if (p.cmd === 'help') { print(o, HELP[p.pos[0] ?? 'main'] ?? HELP.main!); return EXIT.OK; }
    const allowed = COMMAND_FLAGS[p.cmd];
    if (!allowed) throw new UsageError(`unknown command "${p.cmd}"`, 'Commands: inspect, scan, predict, serve, init, validate, drift, pipeline, contract. Run `ramp --help`.');
    if (p.flags.has('--help')) { print(o, HELP[p.cmd]!); return EXIT.OK; }
    for (const f of p.flags.keys()) {
      if (f !== '--json' && f !== '--no-color' && !allowed.includes(f)) throw new UsageError(`option ${f} does not apply to ramp ${p.cmd}`, `Run \`ramp ${p.cmd} --help\`.`);
    }
    return await dispatch(p, o);
  } catch (e) {
    return reportError(e, o);
  }
}

async function dispatch(p: Parsed, o: Out): Promise<number> {
  switch (p.cmd) {
    case 'inspect': return cmdInspect(p, o);
    case 'scan': return cmdScan(p, o);
    case 'predict': return cmdPredict(p, o);
    case 'serve': return await cmdServe(p, o);
    case 'init':
      if (p.pos[0] === 'pipeline') return await cmdInitPipeline({ pos: p.pos.slice(1), flags: p.flags }, o);
      return p.pos[0] === 'service-client' ? await cmdInitServiceClient(p, o) : cmdInit(p, o);
    // `contract export|check` is a model's interface (app developers); test|lint|diff a data contract.
    case 'contract':
      if (p.pos[0] === 'export' || p.pos[0] === 'check') return await cmdModelContract(p, o);
      return await DATA_COMMANDS.find((c) => c.name === 'contract')!.run(p, o);
    case 'pipeline': return await DATA_COMMANDS.find((c) => c.name === p.cmd)!.run(p, o);
    case 'validate': return cmdValidate(p, o);
    case 'drift': return cmdDrift(p, o);
  }
  return EXIT.USAGE;
}

function reportError(e: unknown, o: Out): number {
  let err: RampError;
  if (e instanceof RampError) err = e;
  else if (e instanceof RangeError && /call stack|Invalid array length|allocation/i.test(e.message)) err = new MalformedPickleError(`resource exhaustion: ${e.message}`);
  else err = new RampError(`unexpected error: ${(e as Error)?.message ?? String(e)}`, { hint: 'This is a bug in ramp; please report it with the command you ran.' });
  if (o.json) {
    const body: Record<string, unknown> = { code: err.code, message: err.message, hint: err.hint };
    if (err instanceof UnsafePickleError) body.findings = err.findings.map(findingJson);
    if (err instanceof InputError) body.code = 'bad_input';
    o.io.stdout.write(`${JSON.stringify({ error: body })}\n`);
  } else {
    const err2 = o.io.stderr;
    err2.write(`${red(o, 'error:')} ${err.message}\n`);
    if (err instanceof UnsafePickleError && err.findings.length > 1) {
      for (const f of err.findings.slice(0, 20)) err2.write(`  - ${f.kind} ${f.what} at byte ${f.offset}: ${f.why}\n`);
    }
    if (err.hint) err2.write(`${dim(o, 'hint:')} ${err.hint}\n`);
  }
  return err.exitCode;
}
