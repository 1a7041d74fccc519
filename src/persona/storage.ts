/**
 * What the browser remembers about the reader, in localStorage only (no cookies):
 * the chosen persona with a copy of its path, and the pages visited.
 * Shared by the home chooser, persona pages and the sidebar's inline script.
 */
import { STORAGE_KEYS } from './keys.ts';

export { STORAGE_KEYS, VISITED_LIMIT } from './keys.ts';

export interface PathStep {
  href: string;
  title: string;
  minutes?: number;
}

export interface ChosenPersona {
  id: string;
  name: string;
  build: string;
  steps: PathStep[];
}

function read<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}

function write(key: string, value: unknown): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the site still works, it just does not remember.
  }
}

export function getPersona(): ChosenPersona | null {
  const value = read<ChosenPersona | null>(STORAGE_KEYS.persona, null);
  return value && typeof value.id === 'string' && Array.isArray(value.steps) ? value : null;
}

export function setPersona(persona: ChosenPersona | null): void {
  write(STORAGE_KEYS.persona, persona);
}

export function visitedPaths(): Set<string> {
  const list = read<unknown>(STORAGE_KEYS.visited, []);
  return new Set(Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : []);
}

export function progressOf(steps: PathStep[], visited = visitedPaths()): { done: number; total: number; next?: PathStep } {
  const done = steps.filter((s) => visited.has(s.href)).length;
  return { done, total: steps.length, next: steps.find((s) => !visited.has(s.href)) };
}

/** Where the site publishes every persona's path (built by src/pages/onramp/personas.json.ts). */
export const PATHS_URL = '/onramp/personas.json';

/**
 * The chosen persona with its path filled in: pages only store the persona id when a reader
 * chooses, so no page has to carry every persona's path; the path is fetched once and kept.
 */
export async function withPath(persona: ChosenPersona): Promise<ChosenPersona> {
  if (persona.steps.length && persona.build) return persona;
  const response = await fetch(PATHS_URL);
  if (!response.ok) return persona;
  const { personas } = (await response.json()) as { personas: ChosenPersona[] };
  const fresh = personas.find((p) => p.id === persona.id);
  if (!fresh) return persona;
  write(STORAGE_KEYS.persona, fresh);
  return fresh;
}
