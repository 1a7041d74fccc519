/**
 * Reads labs from `labs/<id>/` (build time and the lab runner): validates `lab.yaml` with the file
 * and field named on error, and turns the starter files plus the bundled `ramp` CLI into a
 * mountable tree. Node only.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse } from 'yaml';
import { LAB_BIN, labSchema, type LabDefinition, type LabTree } from './lab-schema.ts';
import { loadPersonas } from './personas.ts';

export const LABS_DIR = 'labs';
/** Folders under `labs/` that are not labs. */
const NOT_LABS = new Set(['ramp', 'templates']);

export class LabError extends Error {}

export function labIds(root: string): string[] {
  const dir = join(root, LABS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => !NOT_LABS.has(name) && existsSync(join(dir, name, 'lab.yaml')))
    .sort();
}

function personaIdsOf(root: string): string[] {
  return loadPersonas(root).map((p) => p.id);
}

/** Every lab's id with the ids of its steps: what lab progress events may name. */
export function labSteps(root: string): Map<string, Set<string>> {
  return new Map(labIds(root).map((id) => [id, new Set(loadLab(root, id).steps.map((s) => s.id))]));
}

/** Loads and validates one lab. Throws a LabError naming `labs/<id>/lab.yaml` and the field. */
export function loadLab(root: string, id: string, personaIds = personaIdsOf(root)): LabDefinition {
  const file = `${LABS_DIR}/${id}/lab.yaml`;
  let raw: unknown;
  try {
    raw = parse(readFileSync(join(root, file), 'utf8'));
  } catch (error) {
    throw new LabError(`${file}: ${(error as Error).message}`);
  }
  const result = labSchema(personaIds).safeParse(raw);
  if (!result.success) {
    throw new LabError(result.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n'));
  }
  const lab = result.data;
  const problems: string[] = [];
  if (lab.id !== id) problems.push(`${file}: id: "${lab.id}" must match the folder name "${id}"`);
  if (!existsSync(join(root, LABS_DIR, id, 'files'))) problems.push(`${LABS_DIR}/${id}/files: missing (the starter files)`);
  lab.steps.forEach((step, i) => {
    step.solution.files.forEach((f, j) => {
      if (!existsSync(join(root, LABS_DIR, id, 'solution', f))) problems.push(`${file}: steps.${i}.solution.files.${j}: no file ${LABS_DIR}/${id}/solution/${f}`);
    });
  });
  if (!lab.needs.includes('processes')) problems.push(...syncProcessUses(root, id));
  problems.push(...tabMissingCommands(lab, file));
  if (problems.length) throw new LabError(problems.join('\n'));
  return lab;
}

/** Commands the in-tab shell does not have, and the need that sends such a lab elsewhere. */
const NOT_IN_TAB: Record<string, 'python' | 'npm' | 'processes'> = { python: 'python', python3: 'python', pip: 'python', pip3: 'python', npm: 'npm', npx: 'npm', yarn: 'npm', pnpm: 'npm', tar: 'processes', gzip: 'processes', gunzip: 'processes', sqlite3: 'processes', yq: 'processes', uname: 'processes', ps: 'processes', docker: 'processes', kubectl: 'processes' };

/** Step commands (try, check, solution) that use a command the tab lacks, without the need declared. */
function tabMissingCommands(lab: LabDefinition, file: string): string[] {
  const out: string[] = [];
  lab.steps.forEach((step, i) => {
    const commands: [string, string][] = [[`steps.${i}.check.run`, step.check.run], ...step.solution.run.map((c, j): [string, string] => [`steps.${i}.solution.run.${j}`, c])];
    if (step.try) commands.push([`steps.${i}.try`, step.try]);
    for (const [field, command] of commands) {
      for (const segment of command.split(/&&|\|\||[|;&]|\$\(/)) {
        const word = /^\s*(?:\w+=\S*\s+)*([\w.-]+)/.exec(segment)?.[1] ?? '';
        const need = NOT_IN_TAB[word];
        if (need && !lab.needs.includes(need)) out.push(`${file}: ${field}: "${word}" is not available in the in-tab runtime; declare needs: [${need}] (the lab then runs on the runner), or do without it`);
      }
    }
  });
  return out;
}

const SYNC_PROCESS = /\b(spawnSync|execSync|execFileSync)\s*\(/;

/**
 * Scripts of a lab that call a synchronous child process, which the in-tab runtime's node cannot
 * offer (it would need SharedArrayBuffer and Atomics): each is a problem unless the lab declares
 * `needs: [processes]`, so the lab still runs in the tab or says why it does not.
 */
function syncProcessUses(root: string, id: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (name === 'node_modules') continue;
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(mjs|js|cjs|ts|mts)$/.test(name)) {
        readFileSync(full, 'utf8').split('\n').forEach((line, i) => {
          const m = SYNC_PROCESS.exec(line);
          if (m) out.push(`${relative(root, full).split(sep).join('/')}:${i + 1}: ${m[1]} runs a child process synchronously, which the in-tab runtime cannot; use the asynchronous form (execFile with a callback), or declare needs: [processes] in lab.yaml`);
        });
      }
    }
  };
  walk(join(root, LABS_DIR, id, 'files'));
  walk(join(root, LABS_DIR, id, 'solution'));
  return out;
}

/** Every problem in every lab, as lines naming the file and field (for the build's content check). */
export function checkLabs(root: string): string[] {
  const personaIds = personaIdsOf(root);
  const problems: string[] = [];
  for (const id of labIds(root)) {
    try {
      loadLab(root, id, personaIds);
    } catch (error) {
      problems.push(...String((error as Error).message).split('\n'));
    }
  }
  return problems;
}

const TEXT = /\.(txt|md|json|ya?ml|csv|mjs|js|cjs|ts|py|sh|html|css|toml|ini|cfg)$|(^|\/)[^./]+$/i;

function isText(name: string, bytes: Buffer): boolean {
  if (!TEXT.test(name)) return false;
  return !bytes.includes(0);
}

function treeOf(dir: string): LabTree {
  const tree: LabTree = {};
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    const info = statSync(full);
    if (info.isDirectory()) tree[name] = { directory: treeOf(full) };
    else {
      const bytes = readFileSync(full);
      const executable = (info.mode & 0o111) !== 0 || undefined;
      tree[name] = isText(name, bytes) ? { file: { contents: bytes.toString('utf8'), executable } } : { file: { base64: bytes.toString('base64'), executable } };
    }
  }
  return tree;
}

/** The bundled ramp CLI; builds it when the bundle is missing and the builder exists. */
export async function rampBundle(root: string): Promise<string> {
  const bundle = join(root, LABS_DIR, 'ramp', 'dist', 'ramp.mjs');
  if (!existsSync(bundle)) {
    const builder = join(root, LABS_DIR, 'ramp', 'build.mjs');
    if (!existsSync(builder)) throw new LabError(`${LABS_DIR}/ramp/dist/ramp.mjs is missing and there is no ${LABS_DIR}/ramp/build.mjs to build it`);
    const { buildRamp } = (await import(builder)) as { buildRamp: () => Promise<unknown> };
    await buildRamp();
  }
  return readFileSync(bundle, 'utf8');
}

/** `bin/ramp`: the bundle as one executable file with a node shebang (no symlinks, no npm install). */
export function rampExecutable(bundle: string): string {
  const body = bundle.startsWith('#!') ? bundle.slice(bundle.indexOf('\n') + 1) : bundle;
  return `#!/usr/bin/env node\n${body}`;
}

/** The starter tree of a lab, with `bin/ramp`. */
export async function labTree(root: string, id: string): Promise<LabTree> {
  const tree = treeOf(join(root, LABS_DIR, id, 'files'));
  const bin = (tree[LAB_BIN] ??= { directory: {} });
  if (!('directory' in bin)) throw new LabError(`${LABS_DIR}/${id}/files/${LAB_BIN} must be a folder`);
  bin.directory.ramp = { file: { contents: rampExecutable(await rampBundle(root)), executable: true } };
  return tree;
}

/** Solution files of a lab: path → tree file node. */
export function labSolutionFiles(root: string, id: string): Record<string, { contents: string } | { base64: string }> {
  const base = join(root, LABS_DIR, id, 'solution');
  const out: Record<string, { contents: string } | { base64: string }> = {};
  if (!existsSync(base)) return out;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const rel = relative(base, full).split(sep).join('/');
        const bytes = readFileSync(full);
        out[rel] = isText(name, bytes) ? { contents: bytes.toString('utf8') } : { base64: bytes.toString('base64') };
      }
    }
  };
  walk(base);
  return out;
}

/** The starter versions of the files a lab's solutions write (to show a solution as a diff before Start). */
export function labStarterFiles(root: string, id: string): Record<string, { contents: string } | { base64: string }> {
  const out: Record<string, { contents: string } | { base64: string }> = {};
  for (const path of Object.keys(labSolutionFiles(root, id))) {
    const full = join(root, LABS_DIR, id, 'files', ...path.split('/'));
    if (!existsSync(full) || !statSync(full).isFile()) continue;
    const bytes = readFileSync(full);
    out[path] = isText(path, bytes) ? { contents: bytes.toString('utf8') } : { base64: bytes.toString('base64') };
  }
  return out;
}

export function labRecordingPath(root: string, id: string): string {
  return join(root, LABS_DIR, id, 'recorded.json');
}
