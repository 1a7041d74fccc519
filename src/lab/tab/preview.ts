/**
 * The page's half of the in-tab preview: registers the Service Worker (`public/lab-tab-sw.js`,
 * scoped to `<base>lab-tab/preview/`) and answers the requests it forwards for this lab's session
 * from the lab's virtual network. The lab page itself is outside the scope, so the worker never
 * sees the site's own requests.
 */
import type { HttpRequest, HttpResponse } from './protocol.ts';

export function previewScope(base: string): string {
  return `${base.replace(/\/?$/, '/')}lab-tab/preview/`;
}

/** Why a preview cannot work here, or '' when it can. */
export function previewUnavailable(): string {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return 'this browser offers no Service Workers here (a private window, or a page not served over HTTPS)';
  return '';
}

/** Registers the worker and resolves once it is active (it then controls previews opened afterwards). */
export async function registerPreview(base: string): Promise<void> {
  const root = base.replace(/\/?$/, '/');
  const reg = await navigator.serviceWorker.register(`${root}lab-tab-sw.js`, { scope: previewScope(base) });
  if (reg.active) return;
  const worker = reg.installing ?? reg.waiting;
  if (!worker) return;
  await new Promise<void>((resolve, reject) => {
    worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve();
      if (worker.state === 'redundant') reject(new Error('the preview worker could not be installed'));
    });
  });
}

type Answer = (req: HttpRequest) => Promise<HttpResponse>;

/**
 * The sessions this window answers for. One listener serves them all: a window may hold more than
 * one in-tab runtime (one warmed on intent while another runs), and the worker takes the first
 * reply on its channel, so a window must say "not mine" only when none of its sessions is asked.
 */
const sessions = new Map<string, Answer>();

function onMessage(event: MessageEvent) {
  const data = event.data as { type?: string; session?: string; request?: HttpRequest } | null;
  const reply = event.ports[0];
  if (!data || data.type !== 'onramp-lab-preview' || !reply) return;
  const http = data.session ? sessions.get(data.session) : undefined;
  if (!http || !data.request) return reply.postMessage({ miss: true });
  http(data.request).then(
    (response) => reply.postMessage({ response }),
    (e: Error) => reply.postMessage({ response: { status: 502, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: new TextEncoder().encode(`The lab could not answer: ${e.message}`) } }),
  );
}

/** Answers forwarded requests for `session`; returns a function that stops answering. */
export function answerPreviews(session: string, http: Answer): () => void {
  if (sessions.size === 0) {
    navigator.serviceWorker.addEventListener('message', onMessage);
    navigator.serviceWorker.startMessages();
  }
  sessions.set(session, http);
  return () => {
    if (sessions.get(session) !== http) return;
    sessions.delete(session);
    if (sessions.size === 0) navigator.serviceWorker.removeEventListener('message', onMessage);
  };
}
