import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsSchema } from '@astrojs/starlight/schema';
import { pageFields } from './shared/page-schema.ts';
import { personaIds } from './shared/personas.ts';

export const collections = {
  docs: defineCollection({
    loader: glob({ pattern: '**/[^_]*.{md,mdx}', base: './content/docs' }),
    schema: docsSchema({ extend: pageFields(personaIds()) }),
  }),
};
