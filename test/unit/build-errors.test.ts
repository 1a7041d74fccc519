/**
 * A page with an unknown persona or a missing required field must fail the real build (Astro's
 * content sync) and the message must name the file and the field. Runs `astro sync` on a tiny
 * project inside the repository, so it resolves the repository's node_modules.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '../..');

function syncWith(pages: Record<string, string>, personasYaml?: string) {
  const dir = join(repo, 'test-results', `build-error-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'content', 'docs'), { recursive: true });
  if (personasYaml) writeFileSync(join(dir, 'content', 'personas.yaml'), personasYaml);
  else copyFileSync(join(repo, 'content', 'personas.yaml'), join(dir, 'content', 'personas.yaml'));
  writeFileSync(
    join(dir, 'astro.config.mjs'),
    `import { defineConfig } from 'astro/config';\nimport starlight from '@astrojs/starlight';\nimport { onramp } from '${join(repo, 'src/integrations/onramp.ts')}';\nexport default defineConfig({ integrations: [onramp(), starlight({ title: 'T' })] });\n`,
  );
  writeFileSync(join(dir, 'src', 'content.config.ts'), `export { collections } from '${join(repo, 'src/content.config.ts')}';\n`);
  for (const [path, text] of Object.entries(pages)) {
    mkdirSync(join(dir, 'content', 'docs', path, '..'), { recursive: true });
    writeFileSync(join(dir, 'content', 'docs', path), text);
  }
  const result = spawnSync(process.execPath, [join(repo, 'node_modules/astro/bin/astro.mjs'), 'sync'], {
    cwd: dir,
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', ONRAMP_ROOT: dir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  rmSync(dir, { recursive: true, force: true });
  // Strip colours so messages can be matched.
  return { status: result.status, output: (result.stdout + result.stderr).replace(/\x1b\[[0-9;]*m/g, '') };
}

const persona = (id: string) => `- id: ${id}\n  name: N\n  choice: I have a thing\n  arrives_with: a\n  leaves_with: b\n  done: c\n  path: [about]\n`;
const about = '---\ntitle: About\npersonas: [data-scientist]\nkind: explanation\n---\nText.\n';

describe('the build rejects bad pages, naming file and field', () => {
  it('accepts a valid page', () => {
    const { status, output } = syncWith({ 'about.mdx': about }, persona('data-scientist'));
    expect(output).not.toMatch(/error/i);
    expect(status).toBe(0);
  }, 90_000);

  it('fails on an unknown persona', () => {
    const { status, output } = syncWith({ 'about.mdx': about, 'guides/x.mdx': '---\ntitle: X\npersonas: [wizard]\nkind: guide\n---\n' }, persona('data-scientist'));
    expect(status).not.toBe(0);
    expect(output).toContain('guides/x.mdx');
    expect(output).toMatch(/personas\.0.*unknown persona/s);
  }, 90_000);

  it('fails on a missing required field', () => {
    const { status, output } = syncWith({ 'about.mdx': about, 'guides/y.mdx': '---\ntitle: Y\npersonas: [data-scientist]\n---\n' }, persona('data-scientist'));
    expect(status).not.toBe(0);
    expect(output).toContain('guides/y.mdx');
    expect(output).toMatch(/\bkind\b/);
  }, 90_000);

  it('fails when a persona path names no page', () => {
    const { status, output } = syncWith({ 'about.mdx': about }, persona('data-scientist').replace('path: [about]', 'path: [about, guides/missing]'));
    expect(status).not.toBe(0);
    expect(output).toContain('content/personas.yaml: 0.path.1');
    expect(output).toContain('guides/missing');
  }, 90_000);
});
