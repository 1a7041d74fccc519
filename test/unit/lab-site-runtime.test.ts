import { afterEach, describe, expect, it, vi } from 'vitest';
import { siteRuntime } from '../../src/lab/ui/workspace.ts';

describe('site configuration of the lab runtime (PUBLIC_ONRAMP_LAB_RUNTIME)', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('is automatic when unset or unknown', () => {
    vi.stubEnv('PUBLIC_ONRAMP_LAB_RUNTIME', '');
    expect(siteRuntime()).toBeNull();
    vi.stubEnv('PUBLIC_ONRAMP_LAB_RUNTIME', 'docker');
    expect(siteRuntime()).toBeNull();
  });

  it('fixes the runtime a site was built for', () => {
    for (const choice of ['webcontainer', 'runner', 'recorded'] as const) {
      vi.stubEnv('PUBLIC_ONRAMP_LAB_RUNTIME', choice);
      expect(siteRuntime()).toBe(choice);
    }
  });
});
