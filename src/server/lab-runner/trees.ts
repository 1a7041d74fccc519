/** Where the runner gets a lab's starter tree: the built site's `labs/<id>/tree.json`, else the lab's source. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabTree } from '../../shared/lab-schema.ts';
import { labIds, labTree } from '../../shared/lab-files.ts';

export function treeLoader(siteDir: string, root: string): (lab: string) => Promise<LabTree | null> {
  const cache = new Map<string, Promise<LabTree | null>>();
  const load = async (lab: string): Promise<LabTree | null> => {
    const built = join(siteDir, 'labs', lab, 'tree.json');
    if (existsSync(built)) return JSON.parse(await readFile(built, 'utf8')) as LabTree;
    if (labIds(root).includes(lab)) return labTree(root, lab);
    return null;
  };
  return (lab) => {
    let p = cache.get(lab);
    if (!p) {
      p = load(lab);
      cache.set(lab, p);
      p.then((t) => t === null && cache.delete(lab), () => cache.delete(lab));
    }
    return p;
  };
}
