/**
 * Route middleware for every Starlight page:
 * - Pagefind filters for persona, kind, stage (and severity on playbooks) as <meta> tags, so the search dialog and the
 *   playbook finder can filter by them without overriding any content component;
 * - a compact sidebar: groups that do not hold the current page and are longer than a handful of
 *   links are reduced to one link to their first page, so a large site does not inline every
 *   link into every page.
 */
import { defineRouteMiddleware, type StarlightRouteData } from '@astrojs/starlight/route-data';
import { loadPersonas } from './shared/personas.ts';
import { labelOf } from './shared/taxonomy.ts';

type SidebarEntry = StarlightRouteData['sidebar'][number];

/** Groups longer than this are folded away on pages outside them. */
export const SIDEBAR_INLINE_LIMIT = 12;

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
    if (hasCurrent(entry)) return { ...entry, entries: compactSidebar(entry.entries, limit) };
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
