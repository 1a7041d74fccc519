// Types Astro and Starlight add (content collections, `Astro.locals.starlightRoute`). The first
// file is written by `astro sync` / `astro build`; `npm test` runs sync before type checking.
/// <reference path="../.astro/types.d.ts" />
/// <reference path="../node_modules/@astrojs/starlight/dist/global.d.ts" />
