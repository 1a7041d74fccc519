/**
 * The home page's "Your path" panel: the chosen persona's path with progress. Loaded only when
 * the reader has chosen a persona, so a first visit pays nothing for it.
 */
import { getPersona, progressOf, setPersona, visitedPaths, withPath } from './storage.ts';

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text = '', className = '') =>
  Object.assign(document.createElement(tag), { textContent: text, className });

export async function showYourPath(chooser: HTMLElement): Promise<void> {
  const stored = getPersona();
  chooser.querySelectorAll('a[data-persona]').forEach((a) =>
    a.getAttribute('data-persona') === stored?.id ? a.setAttribute('aria-current', 'true') : a.removeAttribute('aria-current'),
  );
  chooser.querySelector('.onramp-your-path')?.remove();
  if (!stored) return;
  const persona = await withPath(stored);
  const visited = visitedPaths();
  const { done, total, next } = progressOf(persona.steps, visited);

  const panel = el('section', '', 'onramp-your-path');
  panel.setAttribute('aria-labelledby', 'your-path-heading');
  const heading = el('h2', 'Your path');
  heading.id = 'your-path-heading';
  const bar = el('div', '', 'onramp-progress');
  bar.setAttribute('role', 'progressbar');
  bar.setAttribute('aria-label', 'Path progress');
  bar.setAttribute('aria-valuemin', '0');
  bar.setAttribute('aria-valuemax', String(total));
  bar.setAttribute('aria-valuenow', String(done));
  bar.append(Object.assign(el('span'), { style: `width:${total ? (100 * done) / total : 0}%` }));
  const steps = el('ol', '', 'onramp-your-path-steps');
  for (const step of persona.steps) {
    const seen = visited.has(step.href);
    const link = Object.assign(el('a', step.title), { href: step.href });
    const li = el('li', '', seen ? 'done' : '');
    li.append(link, el('span', seen ? ' — visited' : step.minutes ? ` — about ${step.minutes} min` : ''));
    steps.append(li);
  }
  const actions = el('p', '', 'onramp-your-path-actions');
  const nextLink = Object.assign(el('a', next ? `Continue: ${next.title}` : 'Review your path', 'onramp-next'), {
    href: (next ?? persona.steps[0])?.href ?? '/',
  });
  const change = Object.assign(el('button', 'Choose a different starting point'), { type: 'button' });
  change.addEventListener('click', () => {
    setPersona(null);
    void showYourPath(chooser);
    chooser.querySelector<HTMLElement>('a[data-persona]')?.focus();
  });
  actions.append(nextLink, change);
  panel.append(heading, el('p', `${persona.name}: ${done} of ${total} steps visited.`), bar, steps, actions);
  chooser.prepend(panel);
}
