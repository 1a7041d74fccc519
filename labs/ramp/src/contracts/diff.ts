// `ramp contract diff OLD NEW`: what changed between two versions of a data contract, which
// changes break consumers, and whether the version number says so.
//
// A data contract covers every partition, including those already published. So a rule made
// wider (a new allowed value, a lower minimum, optional instead of required) breaks consumers
// who relied on it, and a rule made narrower (a removed allowed value, a new required column)
// breaks the published data, which no longer meets it. Both are breaking; so are a removed
// column and a changed type, as for the app developer's model contracts. A new optional column
// and a new description are not.
import type { Column, Contract } from './contract.ts';

export interface Change {
  column?: string;
  what: string;
  breaking: boolean;
}

export interface DiffResult {
  changes: Change[];
  breaking: boolean;
  /** What is wrong with the version number, if anything. */
  versionProblem: string | null;
  suggested: string | null;
}

const list = (v: Column['validValues']): string => (v ? v.join(', ') : 'any value');

function columnChanges(a: Column, b: Column): Change[] {
  const out: Change[] = [];
  const add = (what: string, breaking = true): void => void out.push({ column: a.name, what, breaking });
  if (a.type !== b.type) add(`type ${a.type} → ${b.type}: consumers parse the old type`);
  if (a.required && !b.required) add('no longer required: consumers that expect a value in every row get missing ones');
  if (!a.required && b.required) add('now required: partitions already published may have missing values');
  if (a.unique && !b.unique) add('no longer unique: consumers that join on it get duplicates');
  if (!a.unique && b.unique) add('now unique: partitions already published may repeat values');
  const av = new Set((a.validValues ?? []).map(String)), bv = new Set((b.validValues ?? []).map(String));
  if (a.validValues || b.validValues) {
    const added = [...bv].filter((v) => !av.has(v)), removed = [...av].filter((v) => !bv.has(v));
    if (!b.validValues) add(`allowed values dropped (was ${list(a.validValues)}): any value may now appear`);
    else if (!a.validValues) add(`allowed values introduced (${list(b.validValues)}): published partitions may hold others`);
    else {
      if (added.length) add(`new allowed value${added.length > 1 ? 's' : ''} ${added.join(', ')}: consumers do not handle ${added.length > 1 ? 'them' : 'it'}`);
      if (removed.length) add(`allowed value${removed.length > 1 ? 's' : ''} ${removed.join(', ')} removed: published partitions still hold ${removed.length > 1 ? 'them' : 'it'}`);
    }
  }
  for (const k of ['minimum', 'maximum', 'pattern', 'minLength', 'maxLength'] as const) {
    if (a[k] !== b[k]) add(`${k} ${a[k] ?? 'none'} → ${b[k] ?? 'none'}: ${wider(k, a[k], b[k]) ? 'consumers see values they did not before' : 'published partitions may not meet it'}`);
  }
  if ((a.description ?? '') !== (b.description ?? '')) add('description changed (check that the meaning did not)', false);
  return out;
}

function wider(k: string, a: unknown, b: unknown): boolean {
  if (b === undefined) return true;
  if (a === undefined) return false;
  if (k === 'minimum' || k === 'minLength') return (b as number) < (a as number);
  if (k === 'maximum' || k === 'maxLength') return (b as number) > (a as number);
  return true;
}

function major(v: string): number[] {
  return v.split(/[.-]/).slice(0, 3).map(Number);
}

function versionCheck(a: Contract, b: Contract, changes: Change[]): { problem: string | null; suggested: string | null } {
  const [A = 0, B = 0, C = 0] = major(a.version);
  const [x = 0, y = 0, z = 0] = major(b.version);
  const cmp = x !== A ? x - A : y !== B ? y - B : z - C;
  const breaking = changes.some((c) => c.breaking);
  if (cmp < 0) return { problem: `version ${b.version} is lower than ${a.version}`, suggested: `${A + 1}.0.0` };
  if (breaking && x <= A) return { problem: `a breaking change needs a new major version, not ${a.version} → ${b.version}`, suggested: `${A + 1}.0.0` };
  if (changes.length && cmp === 0) return { problem: `the contract changed but its version is still ${a.version}`, suggested: breaking ? `${A + 1}.0.0` : `${A}.${B + 1}.0` };
  return { problem: null, suggested: null };
}

export function diffContracts(a: Contract, b: Contract): DiffResult {
  const changes: Change[] = [];
  if (a.table !== b.table) changes.push({ what: `table renamed ${a.table} → ${b.table}: consumers read it by name`, breaking: true });
  const after = new Map(b.columns.map((c) => [c.name, c]));
  for (const c of a.columns) {
    const n = after.get(c.name);
    if (!n) changes.push({ column: c.name, what: 'removed: consumers that read it fail', breaking: true });
    else changes.push(...columnChanges(c, n));
  }
  const before = new Set(a.columns.map((c) => c.name));
  for (const c of b.columns) {
    if (before.has(c.name)) continue;
    changes.push(c.required ? { column: c.name, what: 'added as required: partitions already published lack it', breaking: true } : { column: c.name, what: 'added (optional)', breaking: false });
  }
  if ((a.rowCountMin ?? 0) !== (b.rowCountMin ?? 0)) {
    const lower = (b.rowCountMin ?? 0) < (a.rowCountMin ?? 0);
    changes.push({ what: `minimum row count ${a.rowCountMin ?? 0} → ${b.rowCountMin ?? 0}`, breaking: lower });
  }
  if ((a.freshness?.hours ?? Infinity) !== (b.freshness?.hours ?? Infinity)) {
    const looser = (b.freshness?.hours ?? Infinity) > (a.freshness?.hours ?? Infinity);
    changes.push({ what: `freshness ${a.freshness?.text ?? 'none'} → ${b.freshness?.text ?? 'none'}${looser ? ': consumers get older data than promised' : ''}`, breaking: looser });
  }
  const v = versionCheck(a, b, changes);
  return { changes, breaking: changes.some((c) => c.breaking), versionProblem: v.problem, suggested: v.suggested };
}
