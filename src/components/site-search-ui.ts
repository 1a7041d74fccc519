/**
 * The Pagefind UI that Starlight's search dialog creates. Starlight imports `@pagefind/default-ui`
 * and passes it fixed options (only ranking weights are configurable), so astro.config.mjs aliases
 * that import to this module: Pagefind's own UI, loading Pagefind through
 * `public/onramp/search/pagefind.js` with the word rule applied to every search. The dialog then
 * lists only pages holding every query word, in Pagefind's ranking, with filter counts to match;
 * without it, a word in no page ("xyzzy") listed the pages of the longest indexed word it starts
 * with ("x", from `curl -X`).
 */
import { PagefindUI as PagefindDefaultUI } from '@pagefind/default-ui/npm_dist/mjs/ui-core.mjs';
import { searchWords } from './search-refine.ts';

export class PagefindUI extends PagefindDefaultUI {
  constructor(options: Record<string, unknown>) {
    const bundlePath = typeof options.bundlePath === 'string' ? options.bundlePath : '/pagefind/';
    super({ ...options, bundlePath: bundlePath.replace(/pagefind\/$/, 'onramp/search/'), refineSearch: searchWords });
  }
}
