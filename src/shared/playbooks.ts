/**
 * Playbook checks that need the whole site: each `related` entry must be a page the site serves
 * (a guide, another playbook, a decision map, a lab). Reads frontmatter straight from the files so
 * the check runs before Astro does; the frontmatter schema itself is checked by the content layer.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse } from 'yaml';
import { hrefResolves, siteHrefs } from './site-links.ts';

/** The YAML frontmatter of a Markdown/MDX file, or undefined when it has none. */
export function readFrontmatter(source: string): Record<string, unknown> | undefined {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(source);
  if (!match) return undefined;
  const data: unknown = parse(match[1]!);
  return data && typeof data === 'object' ? (data as Record<string, unknown>) : undefined;
}

/** Docs files (paths relative to `root`, with `/`) whose frontmatter says `kind: playbook`. */
export function playbookFiles(root: string): string[] {
  const base = join(root, 'content', 'docs');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.mdx?$/.test(name) && !name.startsWith('_')) {
        try {
          if (readFrontmatter(readFileSync(full, 'utf8'))?.kind === 'playbook') files.push(relative(root, full).split(sep).join('/'));
        } catch {
          // Unparseable frontmatter is reported by the content layer with its own message.
        }
      }
    }
  };
  walk(base);
  return files.sort();
}

/** Problems with playbooks' `related` links, each naming the file and the field (`related.N`). */
export function checkPlaybookRelated(root: string, hrefs: ReadonlySet<string> = siteHrefs(root)): string[] {
  const problems: string[] = [];
  for (const file of playbookFiles(root)) {
    const data = readFrontmatter(readFileSync(join(root, file), 'utf8'));
    const related = data?.related;
    if (!Array.isArray(related)) continue;
    related.forEach((href, i) => {
      if (typeof href !== 'string') problems.push(`${file}: related.${i}: must be a site path like /guides/pkl-to-endpoint/`);
      else if (!hrefResolves(href, hrefs)) problems.push(`${file}: related.${i}: no page "${href}" (expected a guide, playbook, decision map or lab)`);
    });
  }
  return problems;
}
