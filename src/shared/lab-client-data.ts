/** Build time: a lab definition as the browser gets it (Markdown rendered to HTML). */
import { micromark } from 'micromark';
import type { LabClientData, LabDefinition } from './lab-schema.ts';

export function labClientData(lab: LabDefinition): LabClientData {
  return {
    id: lab.id,
    title: lab.title,
    duration: lab.duration,
    summary: lab.summary,
    treeUrl: `/labs/${lab.id}/tree.json`,
    recordedUrl: `/labs/${lab.id}/recorded.json`,
    steps: lab.steps.map((s) => ({
      id: s.id,
      title: s.title,
      bodyHtml: micromark(s.body),
      try: s.try,
      check: { run: s.check.run, message: s.check.message, timeout: s.check.timeout },
      hintsHtml: s.hints.map((h) => micromark(h)),
      solution: { files: s.solution.files, run: s.solution.run },
    })),
  };
}
