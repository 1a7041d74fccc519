/**
 * A lab is data: `labs/<id>/lab.yaml` plus starter files (`files/`) and solution files
 * (`solution/`). This schema is the contract between authors, the build (which validates and
 * emits each lab as a mountable file tree), the lab UI and the lab runner.
 */
import { z } from 'zod';
import { LAB_NEED_NAMES, type LabNeed } from './lab-needs.ts';

const relPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\\'), 'must be a relative path inside the lab, without ".."');

export const LabCheckSchema = z.strictObject({
  /** A command run in the lab's directory; exit code 0 means the step is done. */
  run: z.string().min(1),
  /** What the learner reads when the check fails. */
  message: z.string().min(1),
  /** Seconds before the check is killed and counted as failed. */
  timeout: z.number().positive().max(300).default(30),
});

export const LabSolutionSchema = z
  .strictObject({
    /** Files copied from `labs/<id>/solution/<path>` to `<path>` in the lab. */
    files: z.array(relPath).default([]),
    /** Commands run in order in the lab. A command ending in `&` starts a long-running process (a server) and is not awaited. */
    run: z.array(z.string().min(1)).default([]),
  })
  .refine((s) => s.files.length + s.run.length > 0, 'a solution writes at least one file or runs at least one command');

export const LabStepSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a lowercase slug'),
  title: z.string().min(1),
  /** Markdown. */
  body: z.string().min(1),
  /** The command the learner is invited to try (typed into the terminal by "Run it"). */
  try: z.string().min(1).optional(),
  check: LabCheckSchema,
  hints: z.array(z.string().min(1)).default([]),
  solution: LabSolutionSchema,
});

export function labSchema(personaIds: readonly string[]) {
  return z
    .strictObject({
      id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a lowercase slug'),
      title: z.string().min(1),
      personas: z
        .array(z.string().refine((p) => personaIds.includes(p), { message: `unknown persona; expected one of: ${personaIds.join(', ')}` }))
        .min(1, 'list at least one persona'),
      /** Minutes. */
      duration: z.number().int().positive().max(240),
      summary: z.string().min(1),
      /** What the lab needs beyond a shell, ramp and node (see lab-needs.ts); runtimes without it are skipped. */
      needs: z.array(z.enum(LAB_NEED_NAMES)).default([]),
      steps: z.array(LabStepSchema).min(1),
    })
    .superRefine((lab, ctx) => {
      const seen = new Set<string>();
      lab.steps.forEach((s, i) => {
        if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id "${s.id}"` });
        seen.add(s.id);
      });
    });
}

export type LabDefinition = z.infer<ReturnType<typeof labSchema>>;
export type LabStep = z.infer<typeof LabStepSchema>;
export type LabCheck = z.infer<typeof LabCheckSchema>;

/**
 * A lab's files as JSON: the WebContainer `FileSystemTree` shape, except that binary files carry
 * `base64` instead of a Uint8Array (JSON cannot hold one); `toFileSystemTree` converts.
 */
export type LabTree = { [name: string]: LabTreeNode };
export type LabTreeNode = { directory: LabTree } | { file: { contents: string; executable?: boolean } | { base64: string; executable?: boolean } };

/** The lab's `bin` folder, put first on PATH by both runtimes. */
export const LAB_BIN = 'bin';

/** The per-step output recorded by `npm run labs:record`, shown when no runtime is available. */
export interface LabRecording {
  lab: string;
  recordedAt: string;
  steps: { id: string; commands: { command: string; output: string; exitCode: number | null }[]; check: { command: string; output: string; exitCode: number | null } }[];
}

/** What the lab script needs in the browser: everything but the prose, which is in the page's HTML. */
export interface LabClientData {
  id: string;
  title: string;
  duration: number;
  summary: string;
  /** What the lab needs beyond a shell, ramp and node; runtimes without it are skipped. */
  needs: LabNeed[];
  treeUrl: string;
  recordedUrl: string;
  steps: {
    id: string;
    title: string;
    try?: string;
    check: { run: string; message: string; timeout: number };
    solution: { files: string[]; run: string[] };
  }[];
}

/** What a lab page renders: the client data plus each step's body and hints rendered to HTML. */
export interface LabPageData extends Omit<LabClientData, 'steps'> {
  steps: (LabClientData['steps'][number] & { bodyHtml: string; hintsHtml: string[] })[];
}
