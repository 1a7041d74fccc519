/**
 * The frontmatter Onramp adds to Starlight's docs schema. A page with an unknown persona, an
 * unknown kind or a missing required field fails the build; Astro names the file, we name the field.
 */
import { z } from 'zod';
import { KINDS, SEVERITIES, STAGES } from './taxonomy.ts';

const playbookRequired = ['stage', 'trigger', 'severity', 'time', 'owner', 'prerequisites', 'verify', 'rollback', 'related', 'last_reviewed'] as const;

/** Builds the extension schema for the given persona ids. */
export function pageFields(personaIds: readonly [string, ...string[]]) {
  return z
    .object({
      personas: z.array(z.enum(personaIds, { error: () => `unknown persona; expected one of: ${personaIds.join(', ')}` })).min(1, 'list at least one persona'),
      kind: z.enum(KINDS, { error: () => `must be one of: ${KINDS.join(', ')}` }),
      duration: z.number().int().positive().max(600).optional(),
      stage: z.enum(STAGES, { error: () => `must be one of: ${STAGES.join(', ')}` }).optional(),
      // Playbook fields (required when kind is "playbook").
      trigger: z.string().min(1).optional(),
      severity: z.enum(SEVERITIES, { error: () => `must be one of: ${SEVERITIES.join(', ')}` }).optional(),
      time: z.number().int().positive().max(600).optional(),
      owner: z.string().min(1).optional(),
      prerequisites: z.array(z.string().min(1)).optional(),
      verify: z.string().min(1).optional(),
      rollback: z.string().min(1).optional(),
      related: z.array(z.string().regex(/^\/[a-z0-9/-]*\/$/, 'must be a site path like /guides/pkl-to-endpoint/')).optional(),
      last_reviewed: z.coerce.date().optional(),
      // Folders copied into the scratch directory where the page's sessions run (npm run docs:test):
      // a bare name is test/docs-fixtures/<name>, a path with a slash is relative to the repository.
      fixture: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    })
    .superRefine((page, ctx) => {
      if (page.kind !== 'playbook') return;
      for (const field of playbookRequired) {
        if (page[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required for playbooks` });
      }
    });
}

export type PageFields = z.infer<ReturnType<typeof pageFields>>;
