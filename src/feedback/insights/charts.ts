/**
 * Inline SVG charts for the insights page, built with DOM calls (no library, no innerHTML).
 * Every chart is a <figure> with a caption, an SVG with an accessible name, and the same numbers
 * in a table, so nothing is only visual.
 */
import { h } from '../form.ts';

const NS = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

export interface Segment {
  value: number;
  /** CSS class picking the colour: good, bad, warn, neutral. */
  tone: 'good' | 'bad' | 'warn' | 'neutral';
  name: string;
}

export interface BarRow {
  label: string;
  segments: Segment[];
  /** Text shown at the end of the bar (defaults to the total). */
  note?: string;
}

export function table(caption: string, head: string[], rows: (string | number)[][]): HTMLTableElement {
  return h(
    'table',
    { class: 'onramp-ins-table' },
    h('caption', { text: caption }),
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col', text: c })))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => (i === 0 ? h('th', { scope: 'row', text: String(c) }) : h('td', { text: String(c) })))))),
  );
}

/**
 * Horizontal (optionally stacked) bars, one row per item, with the numbers as text. `tableHead`
 * and `tableRows` give the data table shown under the chart.
 */
export function barChart(options: { title: string; summary: string; rows: BarRow[]; tableHead: string[]; tableRows: (string | number)[][]; max?: number }): HTMLElement {
  const { rows } = options;
  const labelWidth = 260;
  const barWidth = 360;
  const rowHeight = 26;
  const width = labelWidth + barWidth + 90;
  const height = Math.max(1, rows.length) * rowHeight + 8;
  const max = options.max ?? Math.max(1, ...rows.map((r) => r.segments.reduce((a, s) => a + s.value, 0)));
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': `${options.title}. ${options.summary}`, class: 'onramp-ins-chart', preserveAspectRatio: 'xMinYMin meet' });
  rows.forEach((row, i) => {
    const y = 4 + i * rowHeight;
    const label = row.label.length > 38 ? row.label.slice(0, 37) + '…' : row.label;
    const text = svg('text', { x: labelWidth - 8, y: y + rowHeight / 2 + 4, 'text-anchor': 'end', class: 'onramp-ins-label' }, label);
    text.append(svg('title', {}, row.label));
    chart.append(text);
    let x = labelWidth;
    for (const seg of row.segments) {
      const w = (seg.value / max) * barWidth;
      if (w > 0) {
        const rect = svg('rect', { x, y: y + 3, width: Math.max(w, 1), height: rowHeight - 8, class: `onramp-ins-bar ${seg.tone}`, rx: 2 });
        rect.append(svg('title', {}, `${row.label}: ${seg.name} ${seg.value}`));
        chart.append(rect);
      }
      x += w;
    }
    const total = row.segments.reduce((a, s) => a + s.value, 0);
    chart.append(svg('text', { x: x + 6, y: y + rowHeight / 2 + 4, class: 'onramp-ins-value' }, row.note ?? String(total)));
  });
  if (rows.length === 0) chart.append(svg('text', { x: 8, y: 20, class: 'onramp-ins-label' }, 'No data yet'));
  const details = h('details', { class: 'onramp-ins-data' }, h('summary', { text: `${options.title}: data table` }), table(options.title, options.tableHead, options.tableRows));
  return h('figure', { class: 'onramp-ins-figure' }, chart, h('figcaption', { text: options.summary }), details);
}

/** A legend for stacked bars. */
export function legend(items: { tone: Segment['tone']; name: string }[]): HTMLElement {
  return h('ul', { class: 'onramp-ins-legend' }, ...items.map((i) => h('li', {}, h('span', { class: `swatch ${i.tone}`, 'aria-hidden': 'true' }), i.name)));
}
