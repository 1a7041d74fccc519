/** `/labs/<id>/tree.json`: the lab's starter files plus `bin/ramp`, mountable in a WebContainer (binaries in base64). */
import type { APIRoute } from 'astro';
import { labIds, labTree } from '../../../shared/lab-files.ts';
import { projectRoot } from '../../../shared/personas.ts';

export function getStaticPaths() {
  return labIds(projectRoot()).map((id) => ({ params: { id } }));
}

export const GET: APIRoute = async ({ params }) => new Response(JSON.stringify(await labTree(projectRoot(), params.id!)), { headers: { 'Content-Type': 'application/json' } });
