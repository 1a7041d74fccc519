/**
 * Decision maps: YAML files in `content/maps/`, each a small graph of question nodes (options
 * pointing at the next node) ending in outcome nodes (a recommendation and next actions).
 *
 * `validateMap` checks the shape (zod) and the graph: `start` and every `next` name a node, the
 * graph has no cycle, every node is reachable from `start`, every outcome has next actions, every
 * href resolves to a page, and `id` equals the file name. Every problem names the file and the node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { loadPersonas } from './personas.ts';
import { hrefResolves, MAPS_DIR, mapIds, siteHrefs } from './site-links.ts';
import { STAGES } from './taxonomy.ts';

const text = z.string().trim().min(1, 'must not be empty');

export const OptionSchema = z.strictObject({
  label: text,
  /** Completes "because you said …" in the outcome. */
  short: text,
  why: text.optional(),
  next: text,
});

export const QuestionNodeSchema = z.strictObject({
  question: text,
  why: text.optional(),
  options: z.array(OptionSchema).min(2, 'a question needs at least two options'),
});

export const ActionSchema = z.strictObject({ label: text, href: text });

export const OutcomeNodeSchema = z.strictObject({
  outcome: text,
  summary: text,
  next_actions: z.array(ActionSchema).min(1, 'an outcome needs at least one next action'),
});

const NodeSchema = z.union([QuestionNodeSchema, OutcomeNodeSchema]);

export const MapSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a lowercase slug'),
  title: text,
  question: text,
  description: text,
  personas: z.array(text).min(1, 'list at least one persona'),
  stage: z.enum(STAGES).optional(),
  start: text,
  glossary: z.record(z.string(), text).optional(),
  nodes: z.record(z.string().regex(/^[a-z0-9_-]+$/i, 'node ids are letters, digits, "_" or "-"'), z.unknown()),
});

export type MapOption = z.infer<typeof OptionSchema>;
export type QuestionNode = z.infer<typeof QuestionNodeSchema>;
export type OutcomeNode = z.infer<typeof OutcomeNodeSchema>;
export type MapNode = QuestionNode | OutcomeNode;
export type DecisionMap = Omit<z.infer<typeof MapSchema>, 'nodes'> & { nodes: Record<string, MapNode> };

export function isOutcome(node: MapNode): node is OutcomeNode {
  return 'outcome' in node;
}

/** What the validator checks links and personas against. */
export interface MapContext {
  /** Site paths that exist (see `siteHrefs`). */
  hrefs: ReadonlySet<string>;
  /** Known persona ids. */
  personas: readonly string[];
}

export interface MapResult {
  map?: DecisionMap;
  problems: string[];
}

function zodProblems(file: string, error: z.ZodError, prefix: (string | number)[] = []): string[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path];
    const where = path[0] === 'nodes' && path.length > 1 ? `node "${String(path[1])}"${path.length > 2 ? ` ${path.slice(2).join('.')}` : ''}` : path.join('.') || '(root)';
    return `${file}: ${where}: ${issue.message}`;
  });
}

/** Validates one parsed map. `file` is the path shown in messages, e.g. `content/maps/x.yaml`. */
export function validateMap(raw: unknown, file: string, ctx: MapContext): MapResult {
  const top = MapSchema.safeParse(raw);
  if (!top.success) return { problems: zodProblems(file, top.error) };
  const data = top.data;
  const problems: string[] = [];
  const expectedId = file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  if (data.id !== expectedId) problems.push(`${file}: id "${data.id}" must equal the file name "${expectedId}"`);
  data.personas.forEach((p, i) => {
    if (!ctx.personas.includes(p)) problems.push(`${file}: personas.${i}: unknown persona "${p}"; expected one of: ${ctx.personas.join(', ')}`);
  });

  // Node shapes.
  const nodes: Record<string, MapNode> = {};
  for (const [id, value] of Object.entries(data.nodes)) {
    const v = (value ?? {}) as Record<string, unknown>;
    if (typeof v === 'object' && 'question' in v && 'outcome' in v) {
      problems.push(`${file}: node "${id}": is both a question and an outcome; give it either "question" and "options" or "outcome", "summary" and "next_actions"`);
      continue;
    }
    const isOut = typeof v === 'object' && ('outcome' in v || 'next_actions' in v || 'summary' in v);
    const parsed = (isOut ? OutcomeNodeSchema : QuestionNodeSchema).safeParse(value);
    if (!parsed.success) {
      problems.push(...zodProblems(file, parsed.error, ['nodes', id]));
      continue;
    }
    nodes[id] = parsed.data;
  }
  const ids = new Set(Object.keys(data.nodes));

  // Links between nodes.
  if (!ids.has(data.start)) problems.push(`${file}: start: no node "${data.start}"`);
  for (const [id, node] of Object.entries(nodes)) {
    if (isOutcome(node)) {
      node.next_actions.forEach((action, i) => {
        if (!hrefResolves(action.href, ctx.hrefs)) problems.push(`${file}: node "${id}" next_actions.${i}: href "${action.href}" is not a page of the site`);
      });
    } else {
      node.options.forEach((option, i) => {
        if (!ids.has(option.next)) problems.push(`${file}: node "${id}" options.${i} ("${option.label}"): next "${option.next}" is not a node`);
        if (option.next === id) problems.push(`${file}: node "${id}" options.${i}: points at itself`);
      });
    }
  }
  if (problems.length) return { problems };

  // Cycles (depth-first search with colours) and reachability from start.
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (id: string) => {
    state.set(id, 'open');
    stack.push(id);
    const node = nodes[id]!;
    if (!isOutcome(node)) {
      for (const option of node.options) {
        const s = state.get(option.next);
        if (s === 'open') cycles.push([...stack.slice(stack.indexOf(option.next)), option.next].join(' → '));
        else if (!s) visit(option.next);
      }
    }
    stack.pop();
    state.set(id, 'done');
  };
  visit(data.start);
  for (const cycle of cycles) problems.push(`${file}: node "${cycle.split(' → ')[0]}": cycle ${cycle}; a map must always move forward`);
  for (const id of ids) {
    if (!state.has(id)) problems.push(`${file}: node "${id}": unreachable from start "${data.start}"`);
  }
  if (problems.length) return { problems };
  return { map: { ...data, nodes }, problems };
}

/** Parses a map from YAML text; YAML errors are reported like schema errors. */
export function parseMap(source: string, file: string, ctx: MapContext): MapResult {
  let raw: unknown;
  try {
    raw = parse(source);
  } catch (error) {
    return { problems: [`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`] };
  }
  return validateMap(raw, file, ctx);
}

/** The context for the real site under `root`. */
export function siteMapContext(root: string): MapContext {
  return { hrefs: siteHrefs(root), personas: loadPersonas(root).map((p) => p.id) };
}

/** Reads and validates every map; returns the maps that passed and all problems. */
export function checkMaps(root: string, ctx = siteMapContext(root)): { maps: DecisionMap[]; problems: string[] } {
  const maps: DecisionMap[] = [];
  const problems: string[] = [];
  for (const id of mapIds(root)) {
    for (const ext of ['yaml', 'yml']) {
      const file = `${MAPS_DIR}/${id}.${ext}`;
      let source: string;
      try {
        source = readFileSync(join(root, file), 'utf8');
      } catch {
        continue;
      }
      const result = parseMap(source, file, ctx);
      if (result.map) maps.push(result.map);
      problems.push(...result.problems);
    }
  }
  return { maps, problems };
}

/** Every valid map, sorted by title. Throws listing every problem if any map is broken. */
export function loadMaps(root: string): DecisionMap[] {
  const { maps, problems } = checkMaps(root);
  if (problems.length) throw new Error(`Decision maps are invalid:\n  ${problems.join('\n  ')}`);
  return maps.sort((a, b) => a.title.localeCompare(b.title));
}

/** Node ids in a stable top-to-bottom order: breadth-first from start. */
export function nodeOrder(map: DecisionMap): string[] {
  const order: string[] = [];
  const queue = [map.start];
  const seen = new Set(queue);
  while (queue.length) {
    const id = queue.shift()!;
    order.push(id);
    const node = map.nodes[id]!;
    if (isOutcome(node)) continue;
    for (const o of node.options) {
      if (!seen.has(o.next)) {
        seen.add(o.next);
        queue.push(o.next);
      }
    }
  }
  return order;
}

/** Sidebar links to every valid map (broken maps are reported by the onramp integration). */
export function mapSidebarLinks(root: string): { link: string; label: string }[] {
  return checkMaps(root)
    .maps.sort((a, b) => a.title.localeCompare(b.title))
    .map((m) => ({ link: `/decisions/${m.id}/`, label: m.title }));
}

/** A map as a tree for the nested-list rendering; a node met a second time becomes a reference. */
export type OutlineItem =
  | { type: 'question'; id: string; node: QuestionNode; options: { option: MapOption; next: OutlineItem }[] }
  | { type: 'outcome'; id: string; node: OutcomeNode }
  | { type: 'ref'; id: string; text: string };

export function outlineTree(map: DecisionMap): OutlineItem {
  const seen = new Set<string>();
  const build = (id: string): OutlineItem => {
    const node = map.nodes[id]!;
    if (seen.has(id)) return { type: 'ref', id, text: isOutcome(node) ? node.outcome : node.question };
    seen.add(id);
    if (isOutcome(node)) return { type: 'outcome', id, node };
    return { type: 'question', id, node, options: node.options.map((option) => ({ option, next: build(option.next) })) };
  };
  return build(map.start);
}
