/**
 * Onramp's Astro integration: checks the data that links pages together before Astro renders
 * anything, so a broken persona path, decision map or playbook link fails the build with the file
 * and the field (or map node) named.
 */
import type { AstroIntegration } from 'astro';
import { fileURLToPath } from 'node:url';
import { loadPersonas, PERSONAS_FILE } from '../shared/personas.ts';
import { docSlugs } from '../shared/site-pages.ts';
import { checkMaps } from '../shared/maps.ts';
import { checkPlaybookRelated } from '../shared/playbooks.ts';
import { checkLabs, labIds } from '../shared/lab-files.ts';

export function checkPersonaPaths(root: string): string[] {
  // Lab pages (`labs/<id>`) are generated from `labs/<id>/lab.yaml`, not from content/docs.
  const pages = new Set([...docSlugs(root), ...labIds(root).map((id) => `labs/${id}`)]);
  const problems: string[] = [];
  loadPersonas(root).forEach((persona, i) => {
    persona.path.forEach((slug, j) => {
      if (!pages.has(slug)) problems.push(`${PERSONAS_FILE}: ${i}.path.${j} (persona "${persona.id}"): no page "${slug}" in content/docs or labs/`);
    });
  });
  return problems;
}

/** Every cross-page check: persona paths, decision maps, playbooks' `related` links. */
export function checkContent(root: string): string[] {
  return [...checkPersonaPaths(root), ...checkMaps(root).problems, ...checkPlaybookRelated(root), ...checkLabs(root)];
}

export function onramp(): AstroIntegration {
  return {
    name: 'onramp',
    hooks: {
      'astro:config:setup': ({ config }) => {
        const root = fileURLToPath(config.root);
        const problems = checkContent(root);
        if (problems.length) throw new Error(`Onramp content check failed:\n  ${problems.join('\n  ')}`);
      },
    },
  };
}
