/**
 * What pages the site will have, read from the content folder without running Astro, so that
 * data which links to pages (persona paths, decision maps, playbooks) can be checked up front.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse } from 'yaml';

const PAGE_EXTENSIONS = /\.(md|mdx)$/;

export interface DocFile {
  /** `guides/pkl-to-endpoint`, `about`, `` for the home page. */
  slug: string;
  /** Path relative to the project root, with `/`: `content/docs/guides/pkl-to-endpoint.mdx`. */
  file: string;
}

/** Every docs page file under `content/docs` (files starting with `_` are not pages), by slug. */
export function docFiles(root: string): DocFile[] {
  const base = join(root, 'content', 'docs');
  const found: DocFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (PAGE_EXTENSIONS.test(name) && !name.startsWith('_')) {
        const slug = relative(base, full).split(sep).join('/').replace(PAGE_EXTENSIONS, '').toLowerCase();
        found.push({ slug: slug === 'index' ? '' : slug.replace(/\/index$/, ''), file: relative(root, full).split(sep).join('/') });
      }
    }
  };
  walk(base);
  return found.sort((a, b) => a.slug.localeCompare(b.slug));
}

/** Slugs of the docs pages (`guides/pkl-to-endpoint`, `about`, `` for the home page). */
export function docSlugs(root: string): string[] {
  return docFiles(root).map((d) => d.slug);
}

/** The YAML frontmatter of a Markdown/MDX source, or undefined when it has none. Throws on bad YAML. */
export function readFrontmatter(source: string): Record<string, unknown> | undefined {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(source);
  if (!match) return undefined;
  const data: unknown = parse(match[1]!);
  return data && typeof data === 'object' ? (data as Record<string, unknown>) : undefined;
}

/** Turns a slug into the URL path the site serves it at. */
export function slugToHref(slug: string): string {
  return slug === '' ? '/' : `/${slug}/`;
}

/** Turns a site path (`/guides/x/`) back into a slug (`guides/x`). */
export function hrefToSlug(href: string): string {
  return href.replace(/^\/+|\/+$/g, '');
}
