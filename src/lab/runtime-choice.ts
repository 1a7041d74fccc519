/**
 * Which runtime a lab starts on. The order: `?runtime=` (the learner's or a test's choice), else
 * the site's build-time choice (`PUBLIC_ONRAMP_LAB_RUNTIME`), else automatic — WebContainer first
 * only where the site opted in (`PUBLIC_ONRAMP_WEBCONTAINER=on`: StackBlitz serves its runtime and
 * licenses production use), then the lab runner where the Onramp service answers, then the
 * learner's own tab (no server at all: the default on a static host), then recorded output where
 * even a tab cannot run it (no Worker, no Service Worker), with the reason shown.
 *
 * A site that did not opt in never contacts StackBlitz: not to probe, not when a URL asks for a
 * WebContainer. Where it did opt in, the probe gives up after `PROBE_TIMEOUT_MS` with a reason the
 * learner sees, and the next runtime starts.
 */
import { tabCannotRun, type LabNeed } from '../shared/lab-needs.ts';
import type { RuntimeKind } from './runtime.ts';

export type Choice = RuntimeKind | 'recorded';
const CHOICES: readonly string[] = ['webcontainer', 'runner', 'tab', 'recorded'];

/** How long the WebContainer probe may take before the lab moves on (the learner hears why within 2 s). */
export const PROBE_TIMEOUT_MS = 1500;

function env(name: string): string | undefined {
  return (import.meta.env?.[name] as string | undefined) || undefined;
}

/** The runtime the site was built to use (`PUBLIC_ONRAMP_LAB_RUNTIME`), or null for automatic. */
export function siteRuntime(): Choice | null {
  const configured = env('PUBLIC_ONRAMP_LAB_RUNTIME');
  return configured && CHOICES.includes(configured) ? (configured as Choice) : null;
}

/** Whether the site opted in to WebContainer (`PUBLIC_ONRAMP_WEBCONTAINER=on`, or the runtime fixed to it). */
export function webContainerEnabled(): boolean {
  return /^(on|1|true|yes)$/i.test(env('PUBLIC_ONRAMP_WEBCONTAINER') ?? '') || siteRuntime() === 'webcontainer';
}

export interface RuntimePlan {
  /** Live runtimes to try, in order; recorded output when all fail. */
  tries: RuntimeKind[];
  /** Recorded output was asked for. */
  recorded: boolean;
  /** Why a runtime that was asked for is not tried (shown to the learner), or ''. */
  notice: string;
}

/** The runtimes to try for a `?runtime=` value (or null), given the site's configuration. */
export function planRuntimes(param: string | null, site = siteRuntime(), webContainer = webContainerEnabled()): RuntimePlan {
  const wanted = param && CHOICES.includes(param) ? (param as Choice) : site;
  if (wanted === 'recorded') return { tries: [], recorded: true, notice: '' };
  if (wanted === 'runner') return { tries: ['runner'], recorded: false, notice: '' };
  if (wanted === 'tab') return { tries: ['tab'], recorded: false, notice: '' };
  if (wanted === 'webcontainer') {
    if (webContainer) return { tries: ['webcontainer', 'runner', 'tab'], recorded: false, notice: '' };
    return { tries: ['runner', 'tab'], recorded: false, notice: 'WebContainer is not enabled on this site, so the lab runs on the lab runner or in this tab.' };
  }
  return { tries: webContainer ? ['webcontainer', 'runner', 'tab'] : ['runner', 'tab'], recorded: false, notice: '' };
}

/** Drops the in-tab runtime from a plan when the lab needs what a tab cannot give, and says so. */
export function forLab(plan: RuntimePlan, needs: readonly LabNeed[]): RuntimePlan {
  const why = tabCannotRun(needs);
  if (!why || !plan.tries.includes('tab')) return plan;
  const notice = `This lab needs ${why}, which a browser tab cannot give, so it does not run in the tab.`;
  return { ...plan, tries: plan.tries.filter((k) => k !== 'tab'), notice: [plan.notice, notice].filter(Boolean).join(' ') };
}

/**
 * Can a WebContainer boot here? Needs cross-origin isolation and StackBlitz's servers. Only called
 * when the site opted in. Resolves to '' when it can, else the reason in the learner's words.
 */
export async function probeWebContainer(fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis), isolated = globalThis.crossOriginIsolated): Promise<string> {
  if (!isolated) return 'WebContainer needs a cross-origin isolated page (the COOP and COEP headers), and this page is not.';
  try {
    await fetchImpl('https://stackblitz.com/headless', { mode: 'no-cors', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return '';
  } catch {
    return `StackBlitz's servers, which serve the WebContainer runtime, did not answer within ${PROBE_TIMEOUT_MS / 1000} s (a firewall may block them).`;
  }
}
