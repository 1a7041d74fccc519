import { existsSync } from 'node:fs';
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { i18nLoader } from '@astrojs/starlight/loaders';
import { docsSchema, i18nSchema } from '@astrojs/starlight/schema';
import { pageFields } from './shared/page-schema.ts';
import { personaIds } from './shared/personas.ts';

const starlightI18n = i18nLoader();

export const collections = {
  docs: defineCollection({
    loader: glob({ pattern: '**/[^_]*.{md,mdx}', base: './content/docs' }),
    schema: docsSchema({ extend: pageFields(personaIds()) }),
  }),
  // Starlight reads its UI strings from this collection (src/content/i18n/<lang>.json); without it
  // every build warns that the collection does not exist. en.json holds no overrides yet. A project
  // without the folder (the build-error tests' tiny sites) loads nothing instead of warning.
  i18n: defineCollection({
    loader: {
      name: starlightI18n.name,
      load: async (context) => {
        if (existsSync(new URL('content/i18n/', context.config.srcDir))) await starlightI18n.load(context);
      },
    },
    schema: i18nSchema(),
  }),
};
