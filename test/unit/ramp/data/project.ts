// A pipeline project from the template, in a scratch folder, for the data engineer's tests.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { cmdInitPipeline } from '../../../../labs/ramp/src/commands/init-pipeline.ts';

export const NAME = 'sales__shop__orders_daily';

/** Scaffolds the pipeline template into a new folder (quietly) and returns its path. */
export async function scaffold(name = NAME): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'ramp-pipe-')), 'p');
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    await cmdInitPipeline({ pos: [dir], flags: new Map([['--name', name]]) }, { json: true, color: false });
  } finally {
    process.stdout.write = write;
  }
  return dir;
}

/** Edits pipeline.yaml (or another YAML file) of a project. */
export function editYaml(dir: string, edit: (doc: any) => void, file = 'pipeline.yaml'): void {
  const path = join(dir, file);
  const doc = parse(readFileSync(path, 'utf8'));
  edit(doc);
  writeFileSync(path, stringify(doc));
}
