import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { docsSchema } from '@astrojs/starlight/schema';
import { pageFields } from '../../src/shared/page-schema.ts';

const ids = ['data-scientist', 'ml-engineer'] as const;
// The schema exactly as the site builds it: Starlight's frontmatter extended with ours.
const schema = docsSchema({ extend: pageFields([...ids]) })({ image: () => z.string() } as never);

function issues(data: unknown) {
  const result = schema.safeParse(data);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const guide = { title: 'A guide', personas: ['data-scientist'], kind: 'guide', duration: 15, stage: 'deploy' };
const playbook = {
  title: 'Roll back',
  personas: ['ml-engineer'],
  kind: 'playbook',
  stage: 'operate',
  trigger: 'Error rate above 2%',
  severity: 'incident',
  time: 15,
  owner: 'ML engineer on call',
  prerequisites: ['Registry access'],
  verify: 'Error rate back under 0.5%',
  rollback: 'Promote the newer version again',
  related: ['/guides/ship-a-model-version/'],
  last_reviewed: '2026-11-01',
};

describe('page frontmatter', () => {
  it('accepts a complete guide and keeps Starlight defaults', () => {
    const result = schema.parse(guide);
    expect(result).toMatchObject({ personas: ['data-scientist'], kind: 'guide', template: 'doc', pagefind: true });
  });

  it('names the field when a persona is unknown', () => {
    expect(issues({ ...guide, personas: ['wizard'] })).toEqual([expect.stringMatching(/^personas\.0: unknown persona; expected one of: data-scientist, ml-engineer$/)]);
  });

  it('names each missing required field', () => {
    const { kind: _kind, personas: _personas, ...rest } = guide;
    const found = issues(rest);
    expect(found.some((i) => i.startsWith('kind:'))).toBe(true);
    expect(found.some((i) => i.startsWith('personas:'))).toBe(true);
  });

  it('rejects an empty persona list, an unknown kind or stage, a fractional duration', () => {
    expect(issues({ ...guide, personas: [] })).toEqual(['personas: list at least one persona']);
    expect(issues({ ...guide, kind: 'tutorial' })[0]).toMatch(/^kind: must be one of: guide, playbook/);
    expect(issues({ ...guide, stage: 'later' })[0]).toMatch(/^stage: must be one of: onboard/);
    expect(issues({ ...guide, duration: 2.5 })[0]).toMatch(/^duration:/);
  });

  it('requires the playbook fields on playbooks only', () => {
    expect(issues(playbook)).toEqual([]);
    const { trigger: _t, rollback: _r, ...partial } = playbook;
    expect(issues(partial)).toEqual(['trigger: required for playbooks', 'rollback: required for playbooks']);
    expect(issues({ ...playbook, severity: 'meh' })[0]).toMatch(/^severity: must be one of: routine, urgent, incident$/);
    expect(issues({ ...playbook, related: ['https://example.com/'] })[0]).toMatch(/^related\.0: must be a site path/);
  });
});
