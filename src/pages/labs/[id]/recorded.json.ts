/** `/labs/<id>/recorded.json`: the output recorded by `npm run labs:record`, shown when no runtime is available. */
import { existsSync, readFileSync } from 'node:fs';
import type { APIRoute } from 'astro';
import { labIds, labRecordingPath } from '../../../shared/lab-files.ts';
import { projectRoot } from '../../../shared/personas.ts';

export function getStaticPaths() {
  return labIds(projectRoot()).map((id) => ({ params: { id } }));
}

export const GET: APIRoute = ({ params }) => {
  const file = labRecordingPath(projectRoot(), params.id!);
  const body = existsSync(file) ? readFileSync(file, 'utf8') : JSON.stringify({ lab: params.id, recordedAt: '', steps: [] });
  return new Response(body, { headers: { 'Content-Type': 'application/json' } });
};
