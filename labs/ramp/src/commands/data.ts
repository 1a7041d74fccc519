// The data engineer's commands, registered with cli.ts in one block: their help, the options
// they take, and how to run them.
import { cmdContract, CONTRACT_HELP, CONTRACT_SUBCOMMANDS } from './contract.ts';
import { cmdPipeline, PIPELINE_HELP } from './pipeline.ts';
import type { CommandArgs, Out } from './output.ts';

export interface DataCommand {
  name: string;
  summary: string;
  help: string;
  /** Options taking a value that cli.ts's parser must know. */
  valueFlags: string[];
  /** Every option the command accepts (subcommands check theirs). */
  flags: string[];
  run(a: CommandArgs, o: Out): Promise<number>;
}

export const DATA_COMMANDS: DataCommand[] = [
  {
    name: 'pipeline',
    summary: 'pipeline check|run|rules [dir]  House conventions, idempotent runs and backfills',
    help: PIPELINE_HELP,
    valueFlags: ['--date', '--from', '--to', '--conventions'],
    flags: ['--date', '--from', '--to', '--conventions'],
    run: cmdPipeline,
  },
  {
    name: 'contract',
    summary: 'contract test|lint|diff         Data contracts (Open Data Contract Standard)',
    help: CONTRACT_HELP,
    valueFlags: ['--as-of'],
    flags: [...new Set(Object.values(CONTRACT_SUBCOMMANDS).flatMap((s) => s.flags))],
    run: cmdContract,
  },
];
