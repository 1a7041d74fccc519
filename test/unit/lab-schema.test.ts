/** A bad lab fails the build with the file and the field named. */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLabs, labIds, loadLab, rampExecutable } from '../../src/shared/lab-files.ts';
import { checkPersonaPaths } from '../../src/integrations/onramp.ts';

function project(yaml: string, id = 'demo') {
  const root = mkdtempSync(join(tmpdir(), 'onramp-labs-'));
  mkdirSync(join(root, 'content'), { recursive: true });
  cpSync('content/personas.yaml', join(root, 'content/personas.yaml'));
  mkdirSync(join(root, 'labs', id, 'files'), { recursive: true });
  mkdirSync(join(root, 'labs', id, 'solution'), { recursive: true });
  writeFileSync(join(root, 'labs', id, 'lab.yaml'), yaml);
  return root;
}

const good = `id: demo
title: Demo
personas: [data-scientist]
duration: 5
summary: A demo.
steps:
  - id: one
    title: One
    body: Do it.
    check: { run: test -f done.txt, message: Not done. }
    solution: { run: [touch done.txt] }
`;

describe('lab definitions', () => {
  it('accepts a valid lab, with defaults', () => {
    const root = project(good);
    expect(labIds(root)).toEqual(['demo']);
    const lab = loadLab(root, 'demo');
    expect(lab.steps[0]!.check.timeout).toBe(30);
    expect(lab.steps[0]!.hints).toEqual([]);
    expect(checkLabs(root)).toEqual([]);
  });

  it('names the file and the field', () => {
    const root = project(good.replace('personas: [data-scientist]', 'personas: [astronaut]').replace('message: Not done. ', ''));
    const problems = checkLabs(root);
    expect(problems.some((p) => p.startsWith('labs/demo/lab.yaml: personas.0: unknown persona'))).toBe(true);
    expect(problems.some((p) => p.startsWith('labs/demo/lab.yaml: steps.0.check.message'))).toBe(true);
  });

  it('checks that solution files exist and the id matches the folder', () => {
    const root = project(good.replace('id: demo', 'id: other').replace('solution: { run: [touch done.txt] }', 'solution: { files: [missing.txt] }'));
    const problems = checkLabs(root).join('\n');
    expect(problems).toContain('labs/demo/lab.yaml: id: "other" must match the folder name "demo"');
    expect(problems).toContain('steps.0.solution.files.0: no file labs/demo/solution/missing.txt');
  });

  it('refuses what the in-tab runtime lacks unless the lab declares the need', () => {
    const root = project(good.replace('run: [touch done.txt]', 'run: ["python3 fit.py && touch done.txt", "npm install"]'));
    writeFileSync(join(root, 'labs/demo/files/check.mjs'), "import { spawnSync } from 'node:child_process';\nspawnSync('ls');\n");
    const problems = checkLabs(root).join('\n');
    expect(problems).toContain('steps.0.solution.run.0: "python3" is not available in the in-tab runtime; declare needs: [python]');
    expect(problems).toContain('steps.0.solution.run.1: "npm" is not available in the in-tab runtime; declare needs: [npm]');
    expect(problems).toContain('labs/demo/files/check.mjs:2: spawnSync runs a child process synchronously');
    const declared = project(good.replace('run: [touch done.txt]', 'run: ["python3 fit.py && touch done.txt", "npm install"]').replace('summary: A demo.', 'summary: A demo.\nneeds: [python, npm, processes]'));
    writeFileSync(join(declared, 'labs/demo/files/check.mjs'), "import { spawnSync } from 'node:child_process';\nspawnSync('ls');\n");
    expect(checkLabs(declared)).toEqual([]);
    expect(checkLabs(project(good.replace('summary: A demo.', 'summary: A demo.\nneeds: [fortran]'))).join('\n')).toMatch(/needs\.0/);
  });

  it('lets persona paths name lab pages', () => {
    expect(checkPersonaPaths(process.cwd())).toEqual([]);
  });

  it('makes ramp one executable file with a node shebang', () => {
    expect(rampExecutable('#!/usr/bin/env node\nconsole.log(1)\n')).toBe('#!/usr/bin/env node\nconsole.log(1)\n');
    expect(rampExecutable('console.log(1)\n')).toBe('#!/usr/bin/env node\nconsole.log(1)\n');
  });
});
