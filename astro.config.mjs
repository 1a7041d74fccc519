// @ts-check
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import { onramp } from './src/integrations/onramp.ts';
import { isolationHeaders } from './src/shared/headers.ts';
import { mapSidebarLinks } from './src/shared/maps.ts';
import { sidebarSlugs } from './src/shared/site-links.ts';
import { fileURLToPath } from 'node:url';
import { rampDefines } from './labs/ramp/build.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));

// Benchmarks add generated sections (bench/site): a JSON list of content/docs folders.
const extraSections = JSON.parse(process.env.ONRAMP_EXTRA_SECTIONS ?? '[]').map((/** @type {string} */ dir) => ({
  label: dir,
  collapsed: true,
  items: sidebarSlugs(root, dir),
}));

// Lab pages embed a WebContainer or the lab runner; both want a cross-origin isolated page.
// The dev server sends the same headers the Onramp service sends in production, on every response
// (Vite's `server.headers`): workers and the scripts they import need COEP too.
// Links are prefetched by the browser's Speculation Rules (on hover or pointer-down, same as
// Starlight's default prefetchAll), not by Astro's prefetch script: ~100 bytes instead of 1 kB of JS
// on every page. Browsers without the API simply navigate without prefetching.
const speculationRules = JSON.stringify({
  prefetch: [{ where: { and: [{ href_matches: '/*' }, { not: { href_matches: ['/api/*', '/lab-preview/*'] } }] }, eagerness: 'moderate' }],
});

export default defineConfig({
  site: process.env.ONRAMP_SITE_URL ?? 'http://localhost:4321',
  prefetch: false,
  server: { headers: isolationHeaders },
  vite: {
    // ramp runs in the in-tab lab's Worker: its `init` templates and house conventions compiled in.
    define: rampDefines(),
    // The in-tab lab's Workers (src/lab/tab) are ES modules; just-bash's browser build imports
    // node:zlib for gzip alone, which the tab answers with a small module saying it is missing.
    worker: {
      format: 'es',
      plugins: () => [
        {
          name: 'onramp-tab-zlib',
          enforce: 'pre',
          resolveId: (id) => (id === 'node:zlib' ? fileURLToPath(new URL('./src/lab/tab/zlib-shim.ts', import.meta.url)) : null),
        },
      ],
    },
    build: {
      rolldownOptions: {
        // Astro puts the directive "use astro:head-inject" at the top of every MDX page module and
        // reads it itself; the bundler warns that it cannot keep it (one 10-line warning per page).
        // Drop exactly that warning so a real one stands out; every other warning still prints.
        onwarn(warning, warn) {
          if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.message.includes('"use astro:head-inject"')) return;
          warn(warning);
        },
      },
    },
    resolve: {
      // Starlight's search dialog loads Pagefind's UI from '@pagefind/default-ui'; this module is that
      // UI with only results that hold every query word (Pagefind alone also lists prefix matches, and
      // for a word in no page, the pages of the longest indexed word it starts with).
      alias: [{ find: /^@pagefind\/default-ui$/, replacement: fileURLToPath(new URL('./src/components/site-search-ui.ts', import.meta.url)) }],
    },
  },
  integrations: [
    onramp(),
    starlight({
      title: 'Onramp',
      description: 'Onboarding for the ML and data platform: start from where you are.',
      logo: { src: './src/assets/onramp-mark.svg', alt: '' },
      customCss: ['./src/styles/onramp.css'],
      head: [{ tag: 'script', attrs: { type: 'speculationrules' }, content: speculationRules }],
      // Wrapped code never scrolls sideways, so no unlabeled scroll regions (axe landmark-unique).
      expressiveCode: { defaultProps: { wrap: true } },
      routeMiddleware: './src/routeData.ts',
      components: {
        Sidebar: './src/overrides/Sidebar.astro',
        MarkdownContent: './src/overrides/MarkdownContent.astro',
        Footer: './src/overrides/Footer.astro',
      },
      sidebar: [
        {
          label: 'Start here',
          items: [{ slug: 'about' }, { label: 'Personas', items: sidebarSlugs(root, 'personas') }],
        },
        // Groups list their pages with sidebarSlugs: Starlight's autogenerate only sees src/content/docs.
        { label: 'Guides', items: sidebarSlugs(root, 'guides') },
        {
          label: 'Playbooks',
          collapsed: true,
          // `data-landing` marks the link the group folds to on pages outside it (src/routeData.ts).
          items: [{ link: '/playbooks/', label: 'Find a playbook', attrs: { 'data-landing': '' } }, ...sidebarSlugs(root, 'playbooks')],
        },
        {
          label: 'Decisions',
          items: [{ link: '/decisions/', label: 'All decision maps', attrs: { 'data-landing': '' } }, ...mapSidebarLinks(root)],
        },
        { label: 'Reference', items: sidebarSlugs(root, 'reference') },
        ...extraSections,
      ],
    }),
  ],
});
