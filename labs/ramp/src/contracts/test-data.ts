// `ramp contract test`: streams a data file through a contract's rules.
import type { Contract } from './contract.ts';
import { RowChecker, type CheckOptions, type TestReport } from './check-rows.ts';
import { formatOf, readCsv, readJsonl, DEFAULT_MAX_RECORD, type DataSource } from './read-rows.ts';

export async function testData(src: DataSource, contract: Contract, file: string, opts: CheckOptions & { maxRecord?: number } = {}): Promise<TestReport> {
  const checker = new RowChecker(contract, opts);
  const max = opts.maxRecord ?? DEFAULT_MAX_RECORD;
  if (formatOf(file) === 'jsonl') await readJsonl(src, file, checker, contract.columns, max);
  else await readCsv(src, file, checker, max);
  return checker.finish();
}
