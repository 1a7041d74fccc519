/**
 * Response headers the site needs, shared by the Onramp service and Astro's dev server.
 * Cross-origin isolation (COOP + COEP) lets a lab page boot a WebContainer and keeps the lab
 * runner's preview iframes same-origin. `credentialless` lets authors embed third-party images
 * that do not send CORP headers, while still isolating the page.
 *
 * Sent on every response, not only on pages: under isolation a worker script (Pagefind's
 * `/pagefind/pagefind-worker.js`) and any script a worker imports load only when they carry COEP
 * themselves; COOP is harmless on them. One rule for everything is also what a static host can
 * express (`public/_headers`, the README's nginx snippet).
 */
export const isolationHeaders: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'credentialless',
};

/** Headers every response carries. */
export const baseHeaders: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
