/** `/labs/<id>/starter.json`: the starter versions of the files its solutions write (path → contents or base64). */
import type { APIRoute } from 'astro';
import { labIds, labStarterFiles } from '../../../shared/lab-files.ts';
import { projectRoot } from '../../../shared/personas.ts';

export function getStaticPaths() {
  return labIds(projectRoot()).map((id) => ({ params: { id } }));
}

export const GET: APIRoute = ({ params }) => new Response(JSON.stringify(labStarterFiles(projectRoot(), params.id!)), { headers: { 'Content-Type': 'application/json' } });
