/**
 * `<decision-wizard>`: walks a decision map one question at a time.
 *
 * - State lives in the URL as `?a=<node>:<option>,…` (the answers along the path), so a view can be
 *   shared and a reload restores it; each step is a history entry, so the browser's Back works too.
 * - Focus moves to the heading of each new step; a polite live region announces it.
 * - The outcome says why ("because you said …", from each chosen option's `short`) and links the
 *   next actions.
 * - The map's SVG diagram (`svg[data-map-diagram]`) highlights the path through `on-path` and
 *   `current` classes on its `data-node` / `data-edge` groups.
 */

interface Option {
  label: string;
  short: string;
  why?: string;
  next: string;
}
type MapNode = { question: string; why?: string; options: Option[] } | { outcome: string; summary: string; next_actions: { label: string; href: string }[] };
interface MapData {
  id: string;
  start: string;
  nodes: Record<string, MapNode>;
}
interface Step {
  node: string;
  option: number;
}

const PARAM = 'a';

function isQuestion(node: MapNode): node is Extract<MapNode, { question: string }> {
  return 'question' in node;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (DomNode | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}
type DomNode = globalThis.Node;

/** "a", "a and b", "a, b and c". */
function listText(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Reads the path from `?a=node:option,…`, keeping only answers that follow from the start. */
export function parsePath(map: MapData, search: string): Step[] {
  const raw = new URLSearchParams(search).get(PARAM) ?? '';
  const answers = new Map<string, number>();
  for (const part of raw.split(',')) {
    const [node, option] = part.split(':');
    if (node && option !== undefined && /^\d+$/.test(option)) answers.set(node, Number(option));
  }
  const path: Step[] = [];
  let current = map.start;
  const seen = new Set<string>();
  while (!seen.has(current)) {
    seen.add(current);
    const node = map.nodes[current];
    const chosen = answers.get(current);
    if (!node || !isQuestion(node) || chosen === undefined || !node.options[chosen]) break;
    path.push({ node: current, option: chosen });
    current = node.options[chosen]!.next;
  }
  return path;
}

export function serializePath(path: Step[]): string {
  return path.map((s) => `${s.node}:${s.option}`).join(',');
}

class DecisionWizard extends HTMLElement {
  #map!: MapData;
  #path: Step[] = [];
  /** The answer given before the learner chose to change it, shown on the re-asked question. */
  #previous: Step | undefined;
  #body!: HTMLElement;
  #status!: HTMLElement;
  #back!: HTMLButtonElement;
  #restart!: HTMLButtonElement;

  connectedCallback() {
    const json = this.querySelector('script[type="application/json"]');
    if (!json?.textContent) return;
    this.#map = JSON.parse(json.textContent) as MapData;
    this.#body = this.querySelector('[data-wizard-body]')!;
    this.#status = this.querySelector('[data-wizard-status]')!;
    this.#back = this.querySelector('[data-back]')!;
    this.#restart = this.querySelector('[data-restart]')!;
    this.#back.addEventListener('click', () => this.#go(this.#path.slice(0, -1), this.#path[this.#path.length - 1]));
    this.#restart.addEventListener('click', () => this.#go([], undefined));
    window.addEventListener('popstate', () => {
      this.#path = parsePath(this.#map, location.search);
      this.#previous = undefined;
      this.#render(true);
    });
    this.#path = parsePath(this.#map, location.search);
    this.hidden = false;
    this.#render(false);
  }

  /** Moves to a new path, records it in the URL and history, and focuses the new step. */
  #go(path: Step[], previous: Step | undefined) {
    this.#path = path;
    this.#previous = previous;
    const url = new URL(location.href);
    if (path.length) url.searchParams.set(PARAM, serializePath(path));
    else url.searchParams.delete(PARAM);
    // Keep the comma and colon readable in the shared URL.
    history.pushState(null, '', url.toString().replace(/%2C/gi, ',').replace(/%3A/gi, ':'));
    this.#render(true);
  }

  #currentId(): string {
    const last = this.#path[this.#path.length - 1];
    if (!last) return this.#map.start;
    const node = this.#map.nodes[last.node]!;
    return isQuestion(node) ? node.options[last.option]!.next : last.node;
  }

  #render(focus: boolean) {
    const { nodes } = this.#map;
    const currentId = this.#currentId();
    const current = nodes[currentId]!;
    const parts: DomNode[] = [];

    if (this.#path.length) {
      const list = el('ol', { class: 'answers' });
      this.#path.forEach((step, i) => {
        const node = nodes[step.node] as Extract<MapNode, { question: string }>;
        const change = el('button', { type: 'button', class: 'change' }, 'Change', el('span', { class: 'sr-only' }, ` answer to: ${node.question}`));
        change.addEventListener('click', () => this.#go(this.#path.slice(0, i), step));
        list.append(el('li', {}, el('span', { class: 'q' }, node.question), el('strong', {}, node.options[step.option]!.label), change));
      });
      parts.push(el('h3', { id: `${this.#map.id}-answers` }, 'Your answers so far'), list);
    }

    const stepNumber = this.#path.length + 1;
    let heading: HTMLElement;
    let announce: string;
    if (isQuestion(current)) {
      heading = el('h3', { tabindex: '-1', class: 'step-heading', id: `${this.#map.id}-step` }, `Question ${stepNumber}: ${current.question}`);
      const box = el('div', { class: 'step', 'data-node': currentId }, heading);
      if (current.why) box.append(el('p', { class: 'why' }, current.why));
      const options = el('ul', { class: 'options', role: 'list', 'aria-labelledby': heading.id });
      current.options.forEach((option, i) => {
        const button = el('button', { type: 'button', class: 'option', 'data-option': String(i) }, option.label);
        if (option.why) button.append(el('span', { class: 'option-why' }, option.why));
        const wasChosen = this.#previous?.node === currentId && this.#previous.option === i;
        const li = el('li', {}, button);
        if (wasChosen) {
          const note = el('span', { class: 'sr-only', id: `${this.#map.id}-prev` }, '(your previous answer)');
          button.setAttribute('aria-describedby', note.id);
          button.append(el('span', { class: 'option-why', 'aria-hidden': 'true' }, 'Your previous answer'));
          li.append(note);
        }
        button.addEventListener('click', () => this.#go([...this.#path, { node: currentId, option: i }], undefined));
        options.append(li);
      });
      box.append(options);
      parts.push(box);
      announce = `Question ${stepNumber}: ${current.question}`;
    } else {
      heading = el('h3', { tabindex: '-1', class: 'step-heading', id: `${this.#map.id}-step` }, `Recommendation: ${current.outcome}`);
      const reasons = this.#path.map((s) => (nodes[s.node] as Extract<MapNode, { question: string }>).options[s.option]!.short);
      const next = el('ul', { class: 'next-actions' });
      for (const action of current.next_actions) next.append(el('li', {}, el('a', { href: action.href }, action.label)));
      parts.push(
        el(
          'div',
          { class: 'step outcome-box', 'data-node': currentId },
          heading,
          el('p', { class: 'because' }, `Because you said ${listText(reasons)}.`),
          el('p', {}, current.summary),
          el('h4', {}, 'Next steps'),
          next,
          el('p', { class: 'why' }, 'This is a starting point: check it with the team that owns the platform before you commit.')
        )
      );
      announce = `Recommendation: ${current.outcome}. Because you said ${listText(reasons)}.`;
    }

    this.#body.replaceChildren(...parts);
    this.#back.disabled = this.#path.length === 0;
    this.#restart.disabled = this.#path.length === 0;
    this.#highlight(currentId);
    if (focus) {
      heading.focus();
      // Re-set the text so repeated identical messages are still announced.
      this.#status.textContent = '';
      requestAnimationFrame(() => (this.#status.textContent = announce));
    }
  }

  #highlight(currentId: string) {
    const svg = document.querySelector(`svg[data-map-diagram="${CSS.escape(this.#map.id)}"]`);
    if (!svg) return;
    svg.querySelectorAll('.on-path, .current').forEach((e) => e.classList.remove('on-path', 'current'));
    const onPath = new Set([...this.#path.map((s) => s.node), currentId]);
    for (const id of onPath) svg.querySelector(`[data-node="${CSS.escape(id)}"]`)?.classList.add('on-path');
    for (const s of this.#path) svg.querySelector(`[data-edge="${CSS.escape(`${s.node}:${s.option}`)}"]`)?.classList.add('on-path');
    svg.querySelector(`[data-node="${CSS.escape(currentId)}"]`)?.classList.add('current');
    svg.classList.toggle('has-path', this.#path.length > 0);
    // Bring the current node into view when the diagram is wider than its scroll box.
    const box = svg.closest<HTMLElement>('.map-scroll');
    const rect = svg.querySelector(`[data-node="${CSS.escape(currentId)}"] rect`);
    if (box && rect && box.scrollWidth > box.clientWidth) {
      const centre = Number(rect.getAttribute('x')) + Number(rect.getAttribute('width')) / 2;
      box.scrollLeft = Math.max(0, centre - box.clientWidth / 2);
    }
  }
}

if (!customElements.get('decision-wizard')) customElements.define('decision-wizard', DecisionWizard);
