/**
 * Creates the in-tab runtime in the browser: the engine's Worker, the preview's Service Worker and
 * the bridge between them. Throws, with the reason in the learner's words, where a tab cannot run
 * a lab (no Worker, no Service Worker).
 */
import { TabRuntime } from './runtime.ts';
import { answerPreviews, previewScope, previewUnavailable, registerPreview } from './preview.ts';

import workerUrl from './worker.ts?worker&url';

/** Puts the engine's code in the HTTP cache ahead of Start. */
export function prefetchWorker(): void {
  if (document.querySelector('link[data-lab-worker]')) return;
  const link = Object.assign(document.createElement('link'), { rel: 'prefetch', href: workerUrl });
  link.dataset.labWorker = '';
  document.head.append(link);
}

export function createTabRuntime(treeUrl: string, base: string): TabRuntime {
  if (typeof Worker === 'undefined') throw new Error('this browser cannot run Web Workers');
  const why = previewUnavailable();
  if (why) throw new Error(`the lab cannot run in this tab: ${why}`);
  const session = crypto.randomUUID();
  const previewReady = registerPreview(base);
  const runtime: TabRuntime = new TabRuntime({
    treeUrl,
    previewBase: `${previewScope(base)}${session}/`,
    previewReady,
    connect: () => new Worker(workerUrl, { type: 'module', name: 'lab shell' }),
  });
  answerPreviews(session, (request) => runtime.http(request));
  return runtime;
}
