/**
 * Lays a decision map out as a top-to-bottom flowchart with ELK (elkjs, layered algorithm) at build
 * time, so the page ships a static SVG and no diagram runtime. Text is wrapped into lines here
 * (with an estimated glyph width) so node and label sizes are known before layout.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { type DecisionMap, isOutcome, nodeOrder } from './maps.ts';

export const NODE_FONT = 13;
export const LABEL_FONT = 12;
const NODE_WIDTH = 220;
const NODE_PAD = 10;
const LINE = 1.3;

export interface LaidOutNode {
  id: string;
  kind: 'question' | 'outcome';
  x: number;
  y: number;
  width: number;
  height: number;
  lines: string[];
  /** Index of the node when read from the start: "Q1", "Q2" … or "A", "B" … for outcomes. */
  tag: string;
}

export interface LaidOutEdge {
  /** `<from>:<option index>`; the wizard highlights edges by this. */
  id: string;
  from: string;
  to: string;
  points: { x: number; y: number }[];
  label: { x: number; y: number; width: number; height: number; lines: string[] };
}

export interface MapLayout {
  width: number;
  height: number;
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
}

/** Greedy word wrap to lines of at most `max` characters. */
export function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** Rough width of a line of text in px (average glyph ≈ 0.56 em for the UI sans-serif). */
function textWidth(line: string, font: number): number {
  return Math.ceil(line.length * font * 0.56);
}

export async function layoutMap(map: DecisionMap): Promise<MapLayout> {
  const order = nodeOrder(map);
  const charsPerLine = Math.floor((NODE_WIDTH - 2 * NODE_PAD) / (NODE_FONT * 0.56));
  let q = 0;
  let o = 0;
  const info = new Map<string, { kind: 'question' | 'outcome'; lines: string[]; tag: string }>();
  for (const id of order) {
    const node = map.nodes[id]!;
    const kind = isOutcome(node) ? 'outcome' : 'question';
    const tag = kind === 'question' ? `Q${++q}` : String.fromCharCode(65 + o++);
    const text = isOutcome(node) ? node.outcome : node.question;
    info.set(id, { kind, lines: wrap(`${tag}. ${text}`, charsPerLine), tag });
  }

  const children: ElkNode[] = order.map((id) => ({
    id,
    width: NODE_WIDTH,
    height: Math.ceil(info.get(id)!.lines.length * NODE_FONT * LINE + 2 * NODE_PAD),
  }));
  const edges: ElkExtendedEdge[] = [];
  for (const id of order) {
    const node = map.nodes[id]!;
    if (isOutcome(node)) continue;
    node.options.forEach((option, i) => {
      const lines = wrap(option.label, 24);
      edges.push({
        id: `${id}:${i}`,
        sources: [id],
        targets: [option.next],
        labels: [{ text: option.label, width: Math.max(...lines.map((l) => textWidth(l, LABEL_FONT))) + 8, height: Math.ceil(lines.length * LABEL_FONT * LINE) + 4 }],
      });
    });
  }

  const elk = new ELK();
  const input: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '28',
      'elk.spacing.edgeLabel': '4',
      'elk.spacing.edgeNode': '16',
      'elk.padding': '[top=8,left=8,bottom=8,right=8]',
      'elk.edgeLabels.inline': 'true',
    },
    children,
    edges,
  };
  const graph = await elk.layout(input);

  const nodes: LaidOutNode[] = (graph.children ?? []).map((n) => {
    const { kind, lines, tag } = info.get(n.id)!;
    return { id: n.id, kind, x: n.x ?? 0, y: n.y ?? 0, width: n.width ?? NODE_WIDTH, height: n.height ?? 40, lines, tag };
  });
  const laidEdges: LaidOutEdge[] = (graph.edges ?? []).map((e) => {
    const section = e.sections?.[0];
    const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
    const l = e.labels?.[0];
    return {
      id: e.id,
      from: e.sources[0]!,
      to: e.targets[0]!,
      points,
      label: { x: l?.x ?? 0, y: l?.y ?? 0, width: l?.width ?? 0, height: l?.height ?? 0, lines: wrap(l?.text ?? '', 24) },
    };
  });
  return { width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0), nodes, edges: laidEdges };
}
