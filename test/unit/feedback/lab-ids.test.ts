import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { feedbackSchemas } from '../../../src/shared/feedback.ts';
import { labSteps } from '../../../src/shared/lab-files.ts';
import { personaIds } from '../../../src/shared/personas.ts';

const root = join(import.meta.dirname, '../../..');
const schemas = feedbackSchemas(personaIds(root), labSteps(root));
const event = (extra: Record<string, unknown>) => ({ events: [{ id: randomUUID(), type: 'step_started', at: new Date().toISOString(), session: 'abcdefgh12', ...extra }] });
const issues = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.success ? [] : result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

describe('lab progress and stuck reports name real labs and steps', () => {
  it('accepts a step of a lab this site has', () => {
    expect(issues(schemas.events.safeParse(event({ lab: 'pkl-to-endpoint', step: 'inspect' })))).toEqual([]);
  });

  it('refuses an unknown lab or step, naming the field', () => {
    expect(issues(schemas.events.safeParse(event({ lab: 'no-such-lab' })))[0]).toMatch(/^events\.0\.lab: unknown lab; expected one of: [a-z, -]*pkl-to-endpoint/);
    expect(issues(schemas.events.safeParse(event({ lab: 'pkl-to-endpoint', step: 'nope' })))[0]).toMatch(/^events\.0\.step: unknown step of lab "pkl-to-endpoint"/);
    const stuck = { id: randomUUID(), page: '/labs/pkl-to-endpoint/', helpful: false, kind: 'stuck', lab: 'pkl-to-endpoint', step: 'nope' };
    expect(issues(schemas.feedback.safeParse(stuck))[0]).toMatch(/^step: unknown step/);
  });
});
