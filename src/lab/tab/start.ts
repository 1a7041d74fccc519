/**
 * Creates the in-tab runtime in the browser: the engine's Worker, the preview's Service Worker and
 * the bridge between them. Throws, with the reason in the learner's words, where a tab cannot run
 * a lab (no Worker, no Service Worker).
 */
import { TabRuntime } from './runtime.ts';
import { answerPreviews, previewScope, previewUnavailable, registerPreview } from './preview.ts';

import workerUrl from './worker.ts?worker&url';

const newWorker = () => new Worker(workerUrl, { type: 'module', name: 'lab shell' });

/** A runtime booted on intent to start, taken by Start. */
let spare: { treeUrl: string; runtime: TabRuntime } | null = null;
/** Runtimes Start took and that are not torn down: while one runs, there is nothing to warm. */
const inUse = new Set<TabRuntime>();

/**
 * Intent to start (pointer over or focus on Start): makes the runtime and boots it — the Worker's
 * code loads and compiles, the lab's files are fetched and mounted — so Start has little left to do.
 */
export function warmTab(treeUrl: string, base: string): void {
  // The intent can arrive late (after a health probe) when Start already made its own runtime.
  if (spare || inUse.size > 0 || typeof Worker === 'undefined' || previewUnavailable()) return;
  spare = { treeUrl, runtime: makeRuntime(treeUrl, base) };
  spare.runtime.preboot();
}

function makeRuntime(treeUrl: string, base: string): TabRuntime {
  const session = crypto.randomUUID();
  const previewReady = registerPreview(base);
  previewReady.catch(() => {}); // a lab without previews still runs; its servers are announced anyway
  const runtime: TabRuntime = new TabRuntime({
    treeUrl,
    previewBase: `${previewScope(base)}${session}/`,
    previewReady,
    connect: newWorker,
    onTeardown: () => {
      stopAnswering();
      inUse.delete(runtime);
    },
  });
  const stopAnswering = answerPreviews(session, (request) => runtime.http(request));
  return runtime;
}

export function createTabRuntime(treeUrl: string, base: string): TabRuntime {
  if (typeof Worker === 'undefined') throw new Error('this browser cannot run Web Workers');
  const why = previewUnavailable();
  if (why) throw new Error(`the lab cannot run in this tab: ${why}`);
  const taken = spare?.treeUrl === treeUrl ? spare.runtime : null;
  if (spare && !taken) void spare.runtime.teardown();
  spare = null;
  const runtime = taken ?? makeRuntime(treeUrl, base);
  inUse.add(runtime);
  return runtime;
}
