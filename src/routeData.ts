/**
 * Route middleware for every Starlight page:
 * - Pagefind filters for persona, kind, stage (and severity on playbooks) as <meta> tags, so the search dialog and the
 *   playbook finder can filter by them without overriding any content component;
 * - a compact sidebar: groups that do not hold the current page and are longer than a handful of
 *   links are reduced to one link to their first page, and a very long group that does hold it
 *   shows the pages around it, so a large site does not inline every link into every page.
 */
import { defineRouteMiddleware, type StarlightRouteData } from '@astrojs/starlight/route-data';
import { loadPersonas } from './shared/personas.ts';
import { labelOf } from './shared/taxonomy.ts';

type SidebarEntry = StarlightRouteData['sidebar'][number];

/** Groups longer than this are folded away on pages outside them. */
export const SIDEBAR_INLINE_LIMIT = 12;

/** Inside the current group, more links than this are shown as a window around the current page. */
export const SIDEBAR_WINDOW_LIMIT = 40;
const WINDOW_RADIUS = 10;

const personaNames = new Map(loadPersonas().map((p) => [p.id, p.name]));

function hasCurrent(entry: SidebarEntry): boolean {
  return entry.type === 'link' ? entry.isCurrent : entry.entries.some(hasCurrent);
}

function countLinks(entry: SidebarEntry): number {
  return entry.type === 'link' ? 1 : entry.entries.reduce((n, e) => n + countLinks(e), 0);
}

/** A group's landing link (e.g. "Find a playbook"): a link marked `data-landing` in the sidebar config. */
function landingLink(entry: SidebarEntry): SidebarEntry | undefined {
  if (entry.type === 'link') return entry.attrs && 'data-landing' in entry.attrs ? entry : undefined;
  for (const e of entry.entries) {
    const link = landingLink(e);
    if (link) return link;
  }
  return undefined;
}

function firstLink(entry: SidebarEntry): SidebarEntry | undefined {
  if (entry.type === 'link') return entry;
  for (const e of entry.entries) {
    const link = firstLink(e);
    if (link) return link;
  }
  return undefined;
}

/**
 * Folds long groups that do not contain the current page into a single "Label (n) →" link, to the
 * group's landing page when it has one (not counted in n), else to its first page.
 */
export function compactSidebar(entries: SidebarEntry[], limit = SIDEBAR_INLINE_LIMIT): SidebarEntry[] {
  return entries.map((entry) => {
    if (entry.type === 'link') return entry;
    if (hasCurrent(entry)) return { ...entry, entries: windowAroundCurrent(compactSidebar(entry.entries, limit)) };
    const landing = landingLink(entry);
    const total = countLinks(entry) - (landing ? 1 : 0);
    if (total <= limit) return entry;
    const first = landing ?? firstLink(entry);
    if (!first || first.type !== 'link') return entry;
    return {
      type: 'link',
      label: `${entry.label} (${total})`,
      href: first.href,
      isCurrent: false,
      badge: undefined,
      attrs: { class: 'onramp-folded-group' },
    } as SidebarEntry;
  });
}

const isPlainLink = (e: SidebarEntry) => e.type === 'link' && !landingLink(e);

function moreLink(label: string, target: SidebarEntry): SidebarEntry {
  return { type: 'link', label, href: (target as { href: string }).href, isCurrent: false, badge: undefined, attrs: { class: 'onramp-more-pages' } } as SidebarEntry;
}

/**
 * In a very long run of links that holds the current page, keeps the pages within WINDOW_RADIUS of
 * it and replaces the rest by "… N earlier pages" / "N later pages …" links that move the window by
 * one window's worth. Landing links and sub-groups stay.
 */
export function windowAroundCurrent(entries: SidebarEntry[], max = SIDEBAR_WINDOW_LIMIT, radius = WINDOW_RADIUS): SidebarEntry[] {
  const links = entries.filter(isPlainLink);
  const at = links.findIndex((e) => e.type === 'link' && e.isCurrent);
  if (links.length <= max || at < 0) return entries;
  const from = Math.max(0, at - radius);
  const to = Math.min(links.length, at + radius + 1);
  const shown = new Set(links.slice(from, to));
  const out: SidebarEntry[] = [];
  for (const e of entries) {
    if (!isPlainLink(e)) out.push(e);
    else if (e === links[from] && from > 0) out.push(moreLink(`… ${from} earlier pages`, links[Math.max(0, from - 1 - radius)]!), e);
    else if (shown.has(e)) {
      out.push(e);
      if (e === links[to - 1] && to < links.length) out.push(moreLink(`${links.length - to} later pages …`, links[Math.min(links.length - 1, to + radius)]!));
    }
  }
  return out;
}

function filterMeta(name: string, value: string) {
  return { tag: 'meta' as const, attrs: { name: `onramp:${name}`, content: value, 'data-pagefind-filter': `${name}[content]` } };
}

export const onRequest = defineRouteMiddleware((context) => {
  const route = context.locals.starlightRoute;
  const data = route.entry.data as { personas?: string[]; kind?: string; stage?: string; severity?: string; pagefind?: boolean };
  route.sidebar = compactSidebar(route.sidebar);
  if (data.pagefind === false) return; // not indexed: filters would be dead weight
  for (const id of data.personas ?? []) route.head.push(filterMeta('persona', personaNames.get(id) ?? id));
  if (data.kind) route.head.push(filterMeta('kind', labelOf(data.kind)));
  if (data.stage) route.head.push(filterMeta('stage', labelOf(data.stage)));
  if (data.kind === 'playbook' && data.severity) route.head.push(filterMeta('severity', labelOf(data.severity)));
});
