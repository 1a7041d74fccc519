// The platform team's house rules (labs/templates/conventions.yaml): schema and loading.
// It is compiled in (__RAMP_CONVENTIONS__, defined by build.mjs, and by vitest.config.ts for tests
// from source). `--conventions FILE` points at another copy.
import type { RampFs } from '../host.ts';
import { z } from 'zod';
import { malformed, parseYamlText, readYamlFile } from '../data-files.ts';

declare const __RAMP_CONVENTIONS__: string | undefined;

const regex = z.string().min(1).refine((s) => {
  try {
    new RegExp(s, 'u');
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');
const slugs = z.array(z.string().min(1)).min(1);

export const ConventionsSchema = z.strictObject({
  version: z.literal(1),
  name: z.strictObject({
    /** The pattern in words, for messages. */
    shape: z.string().min(1),
    pattern: regex,
    example: z.string().min(1),
    max_length: z.number().int().positive().max(255),
    domains: slugs.optional(),
  }),
  owner: z.strictObject({
    team: z.strictObject({ required: z.boolean(), allowed: slugs.optional(), pattern: regex.optional() }),
    oncall: z.strictObject({ required: z.boolean(), pattern: regex.optional(), example: z.string().optional() }),
  }),
  tags: z.strictObject({
    groups: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/), z.strictObject({ required: z.boolean(), values: slugs })),
    allow_other: z.boolean(),
  }),
  schedule: z.strictObject({
    timezone: z.string().min(1).optional(),
    catchup: z.boolean().optional(),
    max_active_runs: z.number().int().positive().optional(),
    presets: z.array(z.string().startsWith('@')).default([]),
  }),
  outputs: z.strictObject({
    write_modes: z.array(z.enum(['replace-partition', 'append'])).min(1),
    partition_by: slugs,
    formats: z.array(z.enum(['csv', 'jsonl'])).min(1),
    path_prefix: z.string().default(''),
  }),
  contracts: z.strictObject({
    required: z.boolean(),
    path: z.string().min(1).optional(),
  }),
});

export type Conventions = z.infer<typeof ConventionsSchema>;

/** Validates parsed conventions; a mistake names the file and the field (exit 4). */
export function conventionsFrom(raw: unknown, file: string): Conventions {
  const r = ConventionsSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw malformed(lines.join('\n'), 'The conventions file is the platform team\'s: fix the field named, see labs/templates/conventions.yaml for every field.');
  }
  return r.data;
}

/** The compiled-in conventions text, as the platform team wrote it. */
export function defaultConventionsText(): string {
  if (typeof __RAMP_CONVENTIONS__ === 'undefined') throw new Error('ramp was built without conventions.yaml (define __RAMP_CONVENTIONS__; see labs/ramp/build.mjs)');
  return __RAMP_CONVENTIONS__;
}

/** `fs` is needed only with a `file`. */
export function loadConventions(fs?: RampFs, file?: string): { conventions: Conventions; source: string } {
  if (fs && file) return { conventions: conventionsFrom(readYamlFile(fs, file), file), source: file };
  const source = 'conventions.yaml, built into ramp';
  return { conventions: conventionsFrom(parseYamlText(defaultConventionsText(), source), source), source };
}
