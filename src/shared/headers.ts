/**
 * Response headers the site needs, shared by the Onramp service and Astro's dev server.
 * Cross-origin isolation (COOP + COEP) lets a lab page boot a WebContainer and keeps the lab
 * runner's preview iframes same-origin. `credentialless` lets authors embed third-party images
 * that do not send CORP headers, while still isolating the page.
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
