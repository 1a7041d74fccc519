// Pagefind's API for the site search dialog. The dialog (Pagefind's default UI, loaded by
// Starlight) imports `${bundlePath}pagefind.js`; src/components/site-search-ui.ts points its
// bundlePath here. This is Pagefind itself, except that `search` goes through the refinement the UI
// passes in its options (`refineSearch`: keep only results holding every query word, see
// src/components/search-refine.ts). Relative, so it follows the site's base path.
import * as pagefind from '../../pagefind/pagefind.js';
export * from '../../pagefind/pagefind.js';

let refine = (engine, term, options) => engine.search(term, options);

export async function options({ refineSearch, ...rest } = {}) {
  if (typeof refineSearch === 'function') refine = refineSearch;
  return pagefind.options(rest);
}

export const search = (term, options) => refine(pagefind, term, options);
