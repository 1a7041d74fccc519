import { afterEach, describe, expect, it, vi } from 'vitest';
import { forLab, planRuntimes, probeWebContainer, siteRuntime, webContainerEnabled, PROBE_TIMEOUT_MS } from '../../src/lab/runtime-choice.ts';

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

  it('enables WebContainer only when the site opts in', () => {
    vi.stubEnv('PUBLIC_ONRAMP_LAB_RUNTIME', '');
    vi.stubEnv('PUBLIC_ONRAMP_WEBCONTAINER', '');
    expect(webContainerEnabled()).toBe(false);
    vi.stubEnv('PUBLIC_ONRAMP_WEBCONTAINER', 'on');
    expect(webContainerEnabled()).toBe(true);
    vi.stubEnv('PUBLIC_ONRAMP_WEBCONTAINER', 'off');
    expect(webContainerEnabled()).toBe(false);
    vi.stubEnv('PUBLIC_ONRAMP_LAB_RUNTIME', 'webcontainer');
    expect(webContainerEnabled()).toBe(true);
  });
});

describe('the runtime plan', () => {
  it('never plans a WebContainer on a site that did not opt in, even when the URL asks', () => {
    expect(planRuntimes(null, null, false)).toEqual({ tries: ['runner', 'tab'], recorded: false, notice: '' });
    const asked = planRuntimes('webcontainer', null, false);
    expect(asked.tries).toEqual(['runner', 'tab']);
    expect(asked.notice).toMatch(/not enabled on this site/);
  });

  it('tries WebContainer first, then the runner, then the tab, where the site opted in', () => {
    expect(planRuntimes(null, null, true).tries).toEqual(['webcontainer', 'runner', 'tab']);
    expect(planRuntimes('webcontainer', null, true).tries).toEqual(['webcontainer', 'runner', 'tab']);
  });

  it('runs in the tab when asked (?runtime=tab, or a site built for it), and nowhere else', () => {
    expect(planRuntimes('tab', null, true).tries).toEqual(['tab']);
    expect(planRuntimes(null, 'tab', false).tries).toEqual(['tab']);
  });

  it('skips the tab for a lab that needs what a tab cannot give, and says what', () => {
    const plan = forLab(planRuntimes(null, null, false), ['python']);
    expect(plan.tries).toEqual(['runner']);
    expect(plan.notice).toMatch(/needs Python/);
    expect(forLab(planRuntimes(null, null, false), [])).toEqual(planRuntimes(null, null, false));
    // Asked for the tab only: nothing live is left, so the lab shows recorded output with the reason.
    expect(forLab(planRuntimes('tab', null, false), ['npm']).tries).toEqual([]);
  });

  it('lets ?runtime= and the site fix the runner or recorded output', () => {
    expect(planRuntimes('runner', null, true).tries).toEqual(['runner']);
    expect(planRuntimes('recorded', 'runner', true)).toMatchObject({ tries: [], recorded: true });
    expect(planRuntimes(null, 'recorded', false).recorded).toBe(true);
    expect(planRuntimes('bogus', 'runner', true).tries).toEqual(['runner']);
  });
});

describe('the WebContainer probe', () => {
  it('says why when the page is not cross-origin isolated, without a request', async () => {
    const fetchSpy = vi.fn();
    expect(await probeWebContainer(fetchSpy as unknown as typeof fetch, false)).toMatch(/cross-origin isolated/);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('gives up with a reason when StackBlitz does not answer, bounded by its timeout', async () => {
    const hang: typeof fetch = (_url, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    expect(await probeWebContainer(hang, true)).toMatch(new RegExp(`did not answer within ${PROBE_TIMEOUT_MS / 1000} s`));
    expect(PROBE_TIMEOUT_MS).toBeLessThanOrEqual(2000);
  });

  it('passes when StackBlitz answers', async () => {
    expect(await probeWebContainer((async () => new Response('')) as unknown as typeof fetch, true)).toBe('');
  });
});
