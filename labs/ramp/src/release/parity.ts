// Feature parity between a baseline and a candidate: same input columns, in the same order, with
// the same kinds, and the same classes. Categories an encoder learned at training time may
// differ (a new plan, a region left out of the export): that is a warning, not a failure.
import type { Label, Model } from '../estimators/index.ts';

export interface Parity {
  ok: boolean;
  errors: string[];
  warnings: string[];
}

const colName = (m: Model, j: number): string => m.inputs[j]!.name ?? `feature ${j}`;
const label = (l: Label): string => (typeof l === 'bigint' ? l.toString() : String(l));

export function featureParity(baseline: Model, candidate: Model): Parity {
  const errors: string[] = [];
  const warnings: string[] = [];
  const bNames = baseline.inputs.map((_, j) => colName(baseline, j));
  const cNames = candidate.inputs.map((_, j) => colName(candidate, j));
  const missing = bNames.filter((n) => !cNames.includes(n));
  const extra = cNames.filter((n) => !bNames.includes(n));
  if (missing.length) errors.push(`the candidate lacks ${missing.length > 1 ? 'columns' : 'column'} ${missing.map((n) => `"${n}"`).join(', ')} that the baseline takes`);
  if (extra.length) errors.push(`the candidate takes ${extra.length > 1 ? 'columns' : 'column'} ${extra.map((n) => `"${n}"`).join(', ')} that the baseline does not`);
  if (!missing.length && !extra.length && bNames.join('\n') !== cNames.join('\n')) {
    const at = bNames.findIndex((n, j) => cNames[j] !== n);
    errors.push(`the columns are in a different order: position ${at} is "${bNames[at]}" in the baseline, "${cNames[at]}" in the candidate`);
  }
  for (const [j, c] of candidate.inputs.entries()) {
    const b = baseline.inputs.find((x, k) => colName(baseline, k) === colName(candidate, j));
    if (!b) continue;
    if (b.kind !== c.kind && b.kind !== 'any' && c.kind !== 'any') errors.push(`"${colName(candidate, j)}" is ${kindWord(c.kind)} in the candidate, ${kindWord(b.kind)} in the baseline`);
    if (b.categories && c.categories) {
      const gone = b.categories.filter((x) => !c.categories!.includes(x));
      const added = c.categories.filter((x) => !b.categories!.includes(x));
      if (gone.length) warnings.push(`"${colName(candidate, j)}": the candidate never saw ${gone.map((x) => `"${x}"`).join(', ')} at training time (the baseline did)`);
      if (added.length) warnings.push(`"${colName(candidate, j)}": the candidate knows ${added.map((x) => `"${x}"`).join(', ')}, the baseline does not`);
    }
  }
  if (baseline.task !== candidate.task) errors.push(`the baseline is a ${baseline.task}, the candidate a ${candidate.task}`);
  const bc = baseline.classes?.map(label).join(', ') ?? '';
  const cc = candidate.classes?.map(label).join(', ') ?? '';
  if (baseline.task === 'classifier' && candidate.task === 'classifier' && bc !== cc) errors.push(`the classes differ: baseline [${bc}], candidate [${cc}]`);
  return { ok: errors.length === 0, errors, warnings };
}

function kindWord(k: string): string {
  return k === 'string' ? 'text' : k === 'number' ? 'numeric' : 'mixed';
}
