import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { docsSchema } from '@astrojs/starlight/schema';
import { checkContent, onramp } from '../../src/integrations/onramp.ts';
import { pageFields } from '../../src/shared/page-schema.ts';
import { personaIds } from '../../src/shared/personas.ts';
import { checkPlaybookRelated, playbookFiles, readFrontmatter } from '../../src/shared/playbooks.ts';
import { hrefResolves, labIds, siteHrefs } from '../../src/shared/site-links.ts';

const root = process.cwd();
const schema = docsSchema({ extend: pageFields(personaIds()) })({ image: () => z.string() } as never);

describe('the real playbooks', () => {
  const files = playbookFiles(root);

  it('are all found', () => {
    expect(files.length).toBe(16);
    expect(files.every((f) => f.startsWith('content/docs/playbooks/'))).toBe(true);
  });

  it('every playbook parses with the site schema', () => {
    for (const file of files) {
      const result = schema.safeParse(readFrontmatter(readFileSync(join(root, file), 'utf8')));
      expect(result.success ? [] : result.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`)).toEqual([]);
    }
  });

  it('every related entry resolves to a page', () => {
    expect(checkPlaybookRelated(root)).toEqual([]);
    const hrefs = siteHrefs(root);
    for (const file of files) {
      const related = readFrontmatter(readFileSync(join(root, file), 'utf8'))!.related as string[];
      expect(related.length).toBeGreaterThan(0);
      for (const href of related) expect(hrefResolves(href, hrefs), `${file}: ${href}`).toBe(true);
    }
  });

  it('the whole content check passes', () => {
    expect(checkContent(root)).toEqual([]);
  });
});

describe('the onramp integration', () => {
  const temp = mkdtempSync(join(tmpdir(), 'onramp-playbooks-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  cpSync(join(root, 'content'), join(temp, 'content'), { recursive: true });
  // Lab pages exist where labs/<id>/lab.yaml does; persona paths and links may point at them.
  for (const id of labIds(root)) cpSync(join(root, 'labs', id, 'lab.yaml'), join(temp, 'labs', id, 'lab.yaml'));

  const setup = () => (onramp().hooks['astro:config:setup'] as (o: unknown) => void)({ config: { root: pathToFileURL(`${temp}/`) } });

  it('fails the build naming the playbook file and related.N for a related page that does not exist', () => {
    const file = join(temp, 'content/docs/playbooks/retire-a-model.mdx');
    const source = readFileSync(file, 'utf8');
    writeFileSync(file, source.replace(/^related:\n/m, 'related:\n  - /guides/no-such-guide/\n'));
    expect(setup).toThrowError(/^Onramp content check failed:\n(.*\n)* {2}content\/docs\/playbooks\/retire-a-model\.mdx: related\.0: no page "\/guides\/no-such-guide\/"/);
    writeFileSync(file, source);
  });

  it('fails the build naming the map file and node for a broken map', () => {
    const file = join(temp, 'content/maps/serving-mode.yaml');
    const source = readFileSync(file, 'utf8');
    writeFileSync(file, source.replace('next: budget', 'next: bugdet'));
    expect(setup).toThrowError(/\n {2}content\/maps\/serving-mode\.yaml: node "waits" options\.0 \("Yes, a request waits for the answer"\): next "bugdet" is not a node/);
    writeFileSync(file, source);
  });
});

describe('the compact sidebar', () => {
  const link = (href: string, extra: Record<string, unknown> = {}) => ({ type: 'link', label: href, href, isCurrent: false, badge: undefined, attrs: {}, ...extra });
  const group = (current = false) => ({
    type: 'group',
    label: 'Playbooks',
    collapsed: true,
    badge: undefined,
    entries: [link('/playbooks/', { attrs: { 'data-landing': '' } }), ...Array.from({ length: 16 }, (_, i) => link(`/playbooks/p${i}/`, { isCurrent: current && i === 3 }))],
  });

  it('folds a long group to its landing link ("Find a playbook"), not counting it', async () => {
    const { compactSidebar } = await import('../../src/routeData.ts');
    expect(compactSidebar([group() as never])).toEqual([
      { type: 'link', label: 'Playbooks (16)', href: '/playbooks/', isCurrent: false, badge: undefined, attrs: { class: 'onramp-folded-group' } },
    ]);
    // On a page inside the group, the group stays open.
    expect((compactSidebar([group(true) as never])[0] as { type: string }).type).toBe('group');
  });
});

describe('a very long sidebar group holding the current page', () => {
  const link = (i: number, current = false) => ({ type: 'link', label: `P${i}`, href: `/s/p${i}/`, isCurrent: current, badge: undefined, attrs: {} });
  const labels = (entries: unknown[]) => (entries as { label: string }[]).map((e) => e.label);

  it('shows the pages around the current one and links to the rest', async () => {
    const { windowAroundCurrent } = await import('../../src/routeData.ts');
    const entries = Array.from({ length: 100 }, (_, i) => link(i, i === 50));
    const out = windowAroundCurrent(entries as never, 40, 10) as unknown as { label: string; href: string }[];
    expect(labels(out)).toEqual(['… 40 earlier pages', ...Array.from({ length: 21 }, (_, i) => `P${40 + i}`), '39 later pages …']);
    expect(out[0]!.href).toBe('/s/p29/'); // one window back
    expect(out.at(-1)!.href).toBe('/s/p71/'); // one window on
  });

  it('leaves short groups, and the ends of long ones, without a summary link on the near side', async () => {
    const { windowAroundCurrent } = await import('../../src/routeData.ts');
    const short = Array.from({ length: 30 }, (_, i) => link(i, i === 3));
    expect(windowAroundCurrent(short as never, 40, 10)).toBe(short);
    const long = Array.from({ length: 100 }, (_, i) => link(i, i === 2));
    expect(labels(windowAroundCurrent(long as never, 40, 10))).toEqual([...Array.from({ length: 13 }, (_, i) => `P${i}`), '87 later pages …']);
  });
});
