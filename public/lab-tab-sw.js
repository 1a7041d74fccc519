// @ts-check
/// <reference lib="webworker" />
// The in-tab lab's preview: requests to <base>lab-tab/preview/<session>/<port>/… — and every
// request a previewed page makes, even to a root-relative path such as /v2/… — are answered by the
// lab page that runs that session, over a MessageChannel (src/lab/tab/preview.ts). No routing state
// lives here: the browser may stop this worker at any time, so each request finds its lab page
// afresh among the open windows.
const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));
const PREVIEW = /^(.*\/lab-tab\/preview\/)([A-Za-z0-9-]{8,64})\/(\d{1,5})(\/.*)?$/;
const TIMEOUT_MS = 30_000;
// The previewed page is embedded in the lab page, which may be cross-origin isolated.
const EMBED_HEADERS = { 'Cross-Origin-Embedder-Policy': 'credentialless', 'Cross-Origin-Resource-Policy': 'same-origin', 'Cache-Control': 'no-store' };

sw.addEventListener('install', () => void sw.skipWaiting());
sw.addEventListener('activate', (event) => event.waitUntil(sw.clients.claim()));

sw.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== sw.location.origin) return;
  const direct = PREVIEW.exec(url.pathname);
  if (direct) {
    event.respondWith(forward(direct[2], Number(direct[3]), (direct[4] || '/') + url.search, event.request));
    return;
  }
  if (!event.clientId) return;
  event.respondWith(
    sw.clients.get(event.clientId).then((client) => {
      const from = client && PREVIEW.exec(new URL(client.url).pathname);
      return from ? forward(from[2], Number(from[3]), url.pathname + url.search, event.request) : fetch(event.request);
    }),
  );
});

/** @param {string} text @param {number} status */
function page(text, status) {
  const html = `<!doctype html><meta charset="utf-8"><title>Lab preview</title><body style="font:16px system-ui;margin:2rem;max-width:40rem"><h1 style="font-size:1.25rem">Lab preview</h1><p>${text}</p>`;
  return new Response(html, { status, headers: { 'Content-Type': 'text/html; charset=utf-8', ...EMBED_HEADERS } });
}

/** @param {string} session @param {number} port @param {string} path @param {Request} request */
async function forward(session, port, path, request) {
  const body = request.method === 'GET' || request.method === 'HEAD' ? new Uint8Array() : new Uint8Array(await request.arrayBuffer());
  /** @type {Record<string, string>} */
  const headers = {};
  request.headers.forEach((v, k) => (headers[k] = v));
  const message = { type: 'onramp-lab-preview', session, request: { port, method: request.method, path, headers, body } };
  const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const answers = windows.map(
    (client) =>
      new Promise((resolve, reject) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (e) => (e.data && e.data.response ? resolve(e.data.response) : reject(new Error('not this window')));
        client.postMessage(message, [channel.port2]);
        setTimeout(() => reject(new Error('no answer')), TIMEOUT_MS);
      }),
  );
  /** @type {{status: number, headers: Record<string, string>, body: Uint8Array}} */
  let response;
  try {
    response = /** @type {any} */ (await Promise.any(answers));
  } catch {
    return page('The lab this preview belongs to is not open any more, or its session ended. Go back to the lab page and start the server again.', 502);
  }
  const h = new Headers(response.headers);
  for (const [k, v] of Object.entries(EMBED_HEADERS)) h.set(k, v);
  h.delete('content-length');
  h.delete('connection');
  return new Response(request.method === 'HEAD' || response.status === 204 || response.status === 304 ? null : response.body, { status: response.status, headers: h });
}
