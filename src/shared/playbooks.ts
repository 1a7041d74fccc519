/**
 * Playbook checks that need the whole site: each `related` entry must be a page the site serves
 * (a guide, another playbook, a decision map, a lab). Reads frontmatter straight from the files so
 * the check runs before Astro does; the frontmatter schema itself is checked by the content layer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { docFiles, readFrontmatter } from './site-pages.ts';
import { hrefResolves, siteHrefs } from './site-links.ts';

export { readFrontmatter };

/** Docs files (paths relative to `root`, with `/`) whose frontmatter says `kind: playbook`. */
export function playbookFiles(root: string): string[] {
  return docFiles(root)
    .map((d) => d.file)
    .filter((file) => {
      try {
        return readFrontmatter(readFileSync(join(root, file), 'utf8'))?.kind === 'playbook';
      } catch {
        return false; // unparseable frontmatter is reported by the content layer with its own message
      }
    })
    .sort();
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
