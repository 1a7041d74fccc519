/**
 * The five personas, defined once as data in `content/personas.yaml` and validated here.
 * Used by the content schema (persona ids), the site (home, persona pages, sidebar path) and the
 * service (feedback validation).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

export const PersonaSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a lowercase slug'),
  name: z.string().min(1),
  choice: z.string().min(1),
  arrives_with: z.string().min(1),
  leaves_with: z.string().min(1),
  done: z.string().min(1),
  path: z.array(z.string().regex(/^[a-z0-9][a-z0-9/-]*$/, 'must be a page slug such as guides/pkl-to-endpoint')).min(1),
});
export type Persona = z.infer<typeof PersonaSchema>;

const PersonaListSchema = z
  .array(PersonaSchema)
  .min(1)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate persona id "${p.id}"` });
      seen.add(p.id);
    });
  });

/** Root of the project: where `content/` lives. Overridable for tools run from elsewhere. */
export function projectRoot(): string {
  return process.env.ONRAMP_ROOT ?? process.cwd();
}

export const PERSONAS_FILE = 'content/personas.yaml';

/** Parses and validates persona YAML; errors name the file, the entry and the field. */
export function parsePersonas(text: string, file = PERSONAS_FILE): Persona[] {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  const result = PersonaListSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}

let cached: Persona[] | undefined;

/** The personas of this site, read once from `content/personas.yaml`. */
export function loadPersonas(root = projectRoot()): Persona[] {
  if (root === projectRoot() && cached) return cached;
  const personas = parsePersonas(readFileSync(resolve(root, PERSONAS_FILE), 'utf8'));
  if (root === projectRoot()) cached = personas;
  return personas;
}

export function personaIds(root?: string): [string, ...string[]] {
  const ids = loadPersonas(root).map((p) => p.id);
  return ids as [string, ...string[]];
}
