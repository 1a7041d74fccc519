import type { APIRoute } from 'astro';
import { personasWithPaths, toChosen } from '../../persona/data.ts';

/** Every persona's path in the compact form the browser stores; fetched only to refresh a stale copy. */
export const GET: APIRoute = async () => {
  const { personas, build } = await personasWithPaths();
  return new Response(JSON.stringify({ build, personas: personas.map((p) => toChosen(p, build)) }), {
    headers: { 'Content-Type': 'application/json' },
  });
};
