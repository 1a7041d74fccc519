// The one export of Pagefind's default UI that src/components/site-search-ui.ts uses (the package
// ships no types). Options it does not know are passed on to the Pagefind API's `options()`.
declare module '@pagefind/default-ui/npm_dist/mjs/ui-core.mjs' {
  export class PagefindUI {
    constructor(options: Record<string, unknown>);
  }
}
