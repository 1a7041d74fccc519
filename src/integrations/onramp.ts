/**
 * Onramp's Astro integration: checks the data that links pages together before Astro renders
 * anything, so a broken persona path fails the build with the file and the field named.
 */
import type { AstroIntegration } from 'astro';
import { fileURLToPath } from 'node:url';
import { loadPersonas, PERSONAS_FILE } from '../shared/personas.ts';
import { docSlugs } from '../shared/site-pages.ts';

export function checkPersonaPaths(root: string): string[] {
  const pages = new Set(docSlugs(root));
  const problems: string[] = [];
  loadPersonas(root).forEach((persona, i) => {
    persona.path.forEach((slug, j) => {
      if (!pages.has(slug)) problems.push(`${PERSONAS_FILE}: ${i}.path.${j} (persona "${persona.id}"): no page "${slug}" in content/docs`);
    });
  });
  return problems;
}

export function onramp(): AstroIntegration {
  return {
    name: 'onramp',
    hooks: {
      'astro:config:setup': ({ config }) => {
        const root = fileURLToPath(config.root);
        const problems = checkPersonaPaths(root);
        if (problems.length) throw new Error(`Onramp content check failed:\n  ${problems.join('\n  ')}`);
      },
    },
  };
}
