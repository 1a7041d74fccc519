// A pipeline project from the template, in a scratch folder, for the data engineer's tests.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { run } from '../../../../labs/ramp/src/core.ts';
import { nodeFs, nodeNet } from '../../../../labs/ramp/src/node-host.ts';

export const NAME = 'sales__shop__orders_daily';

/** Scaffolds the pipeline template into a new folder (quietly) and returns its path. */
export async function scaffold(name = NAME): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'ramp-pipe-')), 'p');
  const quiet = { write: () => {}, isTTY: false };
  const code = await run(['init', 'pipeline', dir, '--name', name, '--json'], { fs: nodeFs, net: nodeNet, cwd: process.cwd(), env: {}, stdout: quiet, stderr: quiet });
  if (code !== 0) throw new Error(`ramp init pipeline exited ${code}`);
  return dir;
}

/** Edits pipeline.yaml (or another YAML file) of a project. */
export function editYaml(dir: string, edit: (doc: any) => void, file = 'pipeline.yaml'): void {
  const path = join(dir, file);
  const doc = parse(readFileSync(path, 'utf8'));
  edit(doc);
  writeFileSync(path, stringify(doc));
}
