// pipeline.yaml: reading it, and the shape `ramp pipeline run` needs. The conventions check
// (check.ts) reads the same raw object and reports every problem as a violation instead.
import { z } from 'zod';
import type { RampFs } from '../host.ts';
import { exists, isDirectory } from '../files.ts';
import { join } from '../path.ts';
import { RampError } from '../errors.ts';
import { insideProject, malformed, readYamlFile } from '../data-files.ts';

export const PIPELINE_FILE = 'pipeline.yaml';

const InputSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a lowercase identifier (it names the input in the transformation)'),
  /** A CSV file per date: `{date}` is replaced by the run's date. */
  path: z.string().min(1).refine((p) => p.includes('{date}'), 'must contain {date}: a run reads the input of its own date'),
});

const OutputSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a lowercase identifier'),
  /** The folder that holds the partitions: `<path>/date=YYYY-MM-DD/part.csv`. */
  path: z.string().min(1),
  format: z.string().default('csv'),
  partition_by: z.string().default('date'),
  write: z.string(),
  contract: z.string().min(1).optional(),
});

export const PipelineSchema = z.looseObject({
  name: z.string().min(1),
  transform: z.string().min(1),
  inputs: z.array(InputSchema).min(1),
  outputs: z.array(OutputSchema).min(1),
});

export type Pipeline = z.infer<typeof PipelineSchema>;
export type PipelineOutput = z.infer<typeof OutputSchema>;

export interface Project {
  /** The filesystem the project lives in. */
  fs: RampFs;
  /** Absolute. */
  dir: string;
  file: string;
  raw: Record<string, unknown>;
}

/** Reads `<dir>/pipeline.yaml` as a plain object (exit 1 when missing, 4 when not YAML). */
export function readProject(fs: RampFs, dir: string): Project {
  if (!isDirectory(fs, dir)) {
    throw new RampError(`${dir} is not a folder`, { code: 'not_found', hint: 'Pass the pipeline project folder (the one that holds pipeline.yaml), or run from inside it.' });
  }
  const file = join(dir, PIPELINE_FILE);
  if (!exists(fs, file)) throw new RampError(`no ${PIPELINE_FILE} in ${dir}`, { code: 'not_found', hint: 'Run from the project folder, or create one with `ramp init pipeline my-pipeline --name <domain>__<source>__<entity>`.' });
  const raw = readYamlFile(fs, file, PIPELINE_FILE);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw malformed(`${PIPELINE_FILE}: must be a mapping of fields (name, owner, schedule, inputs, outputs, ...)`, 'See the pipeline template: `ramp init pipeline`.');
  return { fs, dir, file, raw: raw as Record<string, unknown> };
}

/** The fields a run needs, validated (exit 4 naming the field). */
export function pipelineOf(project: Project): Pipeline {
  const r = PipelineSchema.safeParse(project.raw);
  if (!r.success) {
    throw malformed(r.error.issues.map((i) => `${PIPELINE_FILE}: ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n'), 'Fix the field named; `ramp pipeline check` lists every convention too.');
  }
  return r.data;
}

/** Every path pipeline.yaml names, resolved inside the project (exit 3 when one leaves it). */
export function projectPaths(project: Project, p: Pipeline): void {
  insideProject(project.fs, project.dir, p.transform, PIPELINE_FILE, 'transform');
  p.inputs.forEach((inp, i) => insideProject(project.fs, project.dir, inp.path.replaceAll('{date}', '2000-01-01'), PIPELINE_FILE, `inputs.${i}.path`));
  p.outputs.forEach((out, i) => {
    insideProject(project.fs, project.dir, out.path, PIPELINE_FILE, `outputs.${i}.path`);
    if (out.contract) insideProject(project.fs, project.dir, out.contract, PIPELINE_FILE, `outputs.${i}.contract`);
  });
}
