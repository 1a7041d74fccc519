/**
 * Creates the in-tab runtime in the browser: the engine's Worker, the preview's Service Worker and
 * the bridge between them. Throws, with the reason in the learner's words, where a tab cannot run
 * a lab (no Worker, no Service Worker).
 */
import { TabRuntime } from './runtime.ts';
import { answerPreviews, previewScope, previewUnavailable, registerPreview } from './preview.ts';

import workerUrl from './worker.ts?worker&url';

import type { LabTree } from '../../shared/lab-schema.ts';

const newWorker = () => new Worker(workerUrl, { type: 'module', name: 'lab shell' });

/** A Worker started and the lab's files fetched on intent to start, taken by the next runtime. */
let spare: { worker: Worker; tree: Promise<LabTree> } | null = null;

/**
 * Intent to start (pointer over or focus on Start): starts the Worker — its code loads and
 * compiles, its shell is made — and fetches the lab's files, so Start has little left to do.
 */
export function warmTab(treeUrl: string, base: string): void {
  if (spare || typeof Worker === 'undefined' || previewUnavailable()) return;
  const tree = fetch(treeUrl).then((r) => {
    if (!r.ok) throw new Error(`could not load the lab's files (${r.status})`);
    return r.json() as Promise<LabTree>;
  });
  tree.catch(() => {});
  spare = { worker: newWorker(), tree };
  void registerPreview(base).catch(() => {});
}

export function createTabRuntime(treeUrl: string, base: string): TabRuntime {
  if (typeof Worker === 'undefined') throw new Error('this browser cannot run Web Workers');
  const why = previewUnavailable();
  if (why) throw new Error(`the lab cannot run in this tab: ${why}`);
  const session = crypto.randomUUID();
  const previewReady = registerPreview(base);
  const taken = spare;
  spare = null;
  let first: Worker | null = taken?.worker ?? null;
  const runtime: TabRuntime = new TabRuntime({
    treeUrl,
    previewBase: `${previewScope(base)}${session}/`,
    previewReady,
    ...(taken ? { tree: taken.tree } : {}),
    connect: () => {
      const worker = first ?? newWorker();
      first = null;
      return worker;
    },
  });
  answerPreviews(session, (request) => runtime.http(request));
  return runtime;
}
