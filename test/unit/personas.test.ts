import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPersonas, parsePersonas } from '../../src/shared/personas.ts';
import { checkPersonaPaths } from '../../src/integrations/onramp.ts';

const root = join(import.meta.dirname, '../..');
const EXPECTED = ['data-scientist', 'ml-engineer', 'app-developer', 'data-engineer', 'platform-team'];

describe('the site personas', () => {
  const personas = loadPersonas(root);

  it('are the five personas, in order', () => {
    expect(personas.map((p) => p.id)).toEqual(EXPECTED);
  });

  it('every path entry resolves to a page', () => {
    expect(checkPersonaPaths(root)).toEqual([]);
    expect(personas.flatMap((p) => p.path).length).toBeGreaterThanOrEqual(personas.length * 3);
  });

  it('each has a persona page and a headline choice in the first person', () => {
    for (const p of personas) {
      expect(existsSync(join(root, 'content/docs/personas', `${p.id}.mdx`)), p.id).toBe(true);
      expect(p.choice).toMatch(/^(I|I'm|My|We|Our) /);
    }
  });

  it('the data scientist path includes the headline guide', () => {
    expect(personas[0]!.path).toContain('guides/pkl-to-endpoint');
  });
});

describe('persona validation', () => {
  const valid = `- id: a\n  name: A\n  choice: I have a thing\n  arrives_with: x\n  leaves_with: y\n  done: z\n  path: [about]\n`;

  it('names the entry and field that is wrong', () => {
    expect(() => parsePersonas(valid.replace('  done: z\n', ''))).toThrow(/content\/personas.yaml: 0\.done: /);
    expect(() => parsePersonas(valid.replace('path: [about]', 'path: [Not A Slug]'))).toThrow(/0\.path\.0: must be a page slug/);
    expect(() => parsePersonas(valid + valid)).toThrow(/1\.id: duplicate persona id "a"/);
    expect(() => parsePersonas(valid.replace('  name: A\n', '  name: A\n  colour: red\n'))).toThrow(/0: Unrecognized key.*colour/);
    expect(() => parsePersonas('- [unclosed')).toThrow(/not valid YAML/);
  });

  it('reports a path entry that names no page, with file and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'onramp-personas-'));
    mkdirSync(join(dir, 'content/docs/guides'), { recursive: true });
    writeFileSync(join(dir, 'content/docs/about.mdx'), '---\ntitle: About\n---\n');
    writeFileSync(join(dir, 'content/personas.yaml'), valid.replace('path: [about]', 'path: [about, guides/missing]'));
    const problems = checkPersonaPaths(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^content\/personas\.yaml: 0\.path\.1 \(persona "a"\): no page "guides\/missing" in content\/docs/);
  });
});

describe('sidebar groups', () => {
  it('list every page of a folder, ordered by sidebar.order then slug, without hidden pages', async () => {
    const { sidebarSlugs } = await import('../../src/shared/site-links.ts');
    const dir = mkdtempSync(join(tmpdir(), 'onramp-sidebar-'));
    mkdirSync(join(dir, 'content/docs/guides'), { recursive: true });
    const page = (extra: string) => `---\ntitle: T\n${extra}---\n`;
    writeFileSync(join(dir, 'content/docs/guides/b.mdx'), page(''));
    writeFileSync(join(dir, 'content/docs/guides/a.mdx'), page(''));
    writeFileSync(join(dir, 'content/docs/guides/z.md'), page('sidebar:\n  order: 1\n'));
    writeFileSync(join(dir, 'content/docs/guides/secret.mdx'), page('sidebar:\n  hidden: true\n'));
    writeFileSync(join(dir, 'content/docs/about.mdx'), page(''));
    expect(sidebarSlugs(dir, 'guides')).toEqual([{ slug: 'guides/z' }, { slug: 'guides/a' }, { slug: 'guides/b' }]);
    expect(sidebarSlugs(root, 'guides').map((i) => i.slug)).toContain('guides/pkl-to-endpoint');
  });
});
