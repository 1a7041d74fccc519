/** `/labs/<id>/solution.json`: the lab's solution files (path → contents or base64). */
import type { APIRoute } from 'astro';
import { labIds, labSolutionFiles } from '../../../shared/lab-files.ts';
import { projectRoot } from '../../../shared/personas.ts';

export function getStaticPaths() {
  return labIds(projectRoot()).map((id) => ({ params: { id } }));
}

export const GET: APIRoute = ({ params }) => new Response(JSON.stringify(labSolutionFiles(projectRoot(), params.id!)), { headers: { 'Content-Type': 'application/json' } });
