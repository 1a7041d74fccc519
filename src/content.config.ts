import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { i18nLoader } from '@astrojs/starlight/loaders';
import { docsSchema, i18nSchema } from '@astrojs/starlight/schema';
import { pageFields } from './shared/page-schema.ts';
import { personaIds } from './shared/personas.ts';

export const collections = {
  docs: defineCollection({
    loader: glob({ pattern: '**/[^_]*.{md,mdx}', base: './content/docs' }),
    schema: docsSchema({ extend: pageFields(personaIds()) }),
  }),
  // Starlight reads its UI strings from this collection (src/content/i18n/<lang>.json); without it
  // every build warns that the collection does not exist. en.json holds no overrides yet.
  i18n: defineCollection({ loader: i18nLoader(), schema: i18nSchema() }),
};
