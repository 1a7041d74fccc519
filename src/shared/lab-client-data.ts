/** Build time: a lab definition as its page renders it (Markdown to HTML) and as its script reads it. */
import { micromark } from 'micromark';
import type { LabClientData, LabDefinition, LabPageData } from './lab-schema.ts';

export function labPageData(lab: LabDefinition): LabPageData {
  return {
    id: lab.id,
    title: lab.title,
    duration: lab.duration,
    summary: lab.summary,
    needs: lab.needs,
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

/** The part the browser script reads; the step bodies and hints are already in the page. */
export function labClientData(page: LabPageData): LabClientData {
  return { ...page, steps: page.steps.map(({ bodyHtml: _body, hintsHtml: _hints, ...step }) => step) };
}
