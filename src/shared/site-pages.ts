/**
 * What pages the site will have, read from the content folder without running Astro, so that
 * data which links to pages (persona paths, decision maps, playbooks) can be checked up front.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const PAGE_EXTENSIONS = /\.(md|mdx)$/;

/** Slugs of the docs pages (`guides/pkl-to-endpoint`, `about`, `` for the home page). */
export function docSlugs(root: string): string[] {
  const base = join(root, 'content', 'docs');
  const slugs: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (PAGE_EXTENSIONS.test(name) && !name.startsWith('_')) {
        const slug = relative(base, full).split(sep).join('/').replace(PAGE_EXTENSIONS, '').toLowerCase();
        slugs.push(slug === 'index' ? '' : slug.replace(/\/index$/, ''));
      }
    }
  };
  walk(base);
  return slugs.sort();
}

/** Turns a slug into the URL path the site serves it at. */
export function slugToHref(slug: string): string {
  return slug === '' ? '/' : `/${slug}/`;
}

/** Turns a site path (`/guides/x/`) back into a slug (`guides/x`). */
export function hrefToSlug(href: string): string {
  return href.replace(/^\/+|\/+$/g, '');
}
