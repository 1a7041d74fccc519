/**
 * Build-time view of the personas joined with their pages: titles, time estimates and URLs.
 * Every path entry is checked to exist by the onramp integration before this runs.
 */
import { getCollection } from 'astro:content';
import { createHash } from 'node:crypto';
import { loadPersonas, type Persona } from '../shared/personas.ts';
import { slugToHref } from '../shared/site-pages.ts';
import { labIds, loadLab } from '../shared/lab-files.ts';
import { projectRoot } from '../shared/personas.ts';
import type { ChosenPersona, PathStep } from './storage.ts';

export interface PersonaWithPath extends Persona {
  href: string;
  steps: (PathStep & { kind: string; description?: string })[];
  minutes: number;
}

let cache: Promise<{ personas: PersonaWithPath[]; build: string }> | undefined;

async function compute() {
  const docs = new Map((await getCollection('docs')).map((entry) => [entry.id, entry]));
  const personas = loadPersonas().map((persona) => {
    const steps = persona.path.map((slug) => {
      const labId = slug.startsWith('labs/') ? slug.slice(5) : null;
      if (labId && labIds(projectRoot()).includes(labId)) {
        const lab = loadLab(projectRoot(), labId);
        return { href: slugToHref(slug), title: `Lab: ${lab.title}`, minutes: lab.duration, kind: 'lab', description: lab.summary };
      }
      const entry = docs.get(slug);
      if (!entry) throw new Error(`content/personas.yaml: persona "${persona.id}" path names "${slug}", which is not a page`);
      const data = entry.data as { title: string; description?: string; duration?: number; kind: string };
      return { href: slugToHref(slug), title: data.title, minutes: data.duration, kind: data.kind, description: data.description };
    });
    const minutes = steps.reduce((sum, s) => sum + (s.minutes ?? 0), 0);
    return { ...persona, href: `/personas/${persona.id}/`, steps, minutes };
  });
  const build = createHash('sha256').update(JSON.stringify(personas.map((p) => [p.id, p.name, p.steps]))).digest('hex').slice(0, 12);
  return { personas, build };
}

/** The personas with resolved paths, and a short id that changes whenever any path changes. */
export function personasWithPaths() {
  if (import.meta.env.DEV) return compute();
  cache ??= compute();
  return cache;
}

/** The compact form the browser stores when a reader chooses a persona. */
export function toChosen(persona: PersonaWithPath, build: string): ChosenPersona {
  return { id: persona.id, name: persona.name, build, steps: persona.steps.map(({ href, title, minutes }) => ({ href, title, minutes })) };
}
