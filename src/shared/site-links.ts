/**
 * Every path the built site will serve, known before Astro runs: the docs pages plus the pages
 * Onramp generates (decision maps, the playbook finder, labs). Data that links to pages (decision
 * map next actions, playbook `related`) is checked against this set so a dead link fails the build.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { docSlugs, slugToHref } from './site-pages.ts';

export const MAPS_DIR = 'content/maps';

/** Ids of the decision maps: the YAML file names in `content/maps/`. */
export function mapIds(root: string): string[] {
  const dir = join(root, MAPS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name) && !name.startsWith('_'))
    .map((name) => name.replace(/\.ya?ml$/, ''))
    .sort();
}

/** Ids of the labs: folders under `labs/` holding a `lab.yaml`. */
export function labIds(root: string): string[] {
  const dir = join(root, 'labs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'lab.yaml')))
    .map((d) => d.name)
    .sort();
}

/** All site paths (`/`, `/guides/x/`, `/decisions/serving-mode/`, …). */
export function siteHrefs(root: string): Set<string> {
  const hrefs = new Set(docSlugs(root).map(slugToHref));
  hrefs.add('/playbooks/');
  hrefs.add('/decisions/');
  for (const id of mapIds(root)) hrefs.add(`/decisions/${id}/`);
  for (const id of labIds(root)) hrefs.add(`/labs/${id}/`);
  return hrefs;
}

/**
 * Whether a link target exists: a site path (query and fragment ignored) in `hrefs`, or an
 * absolute http(s) URL, which is not checked.
 */
export function hrefResolves(href: string, hrefs: ReadonlySet<string>): boolean {
  if (/^https?:\/\//.test(href)) return true;
  const path = href.replace(/[?#].*$/, '');
  return hrefs.has(path);
}
