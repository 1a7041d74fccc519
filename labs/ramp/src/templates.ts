// Project templates for `ramp init`. They are compiled in (esbuild `define` of __RAMP_TEMPLATES__,
// from labs/templates/ by build.mjs; vitest.config.ts defines the same for tests from source), so
// ramp needs no file of its own at run time, on Node or in a tab.

declare const __RAMP_TEMPLATES__: Record<string, Record<string, string>> | undefined;

export type Templates = Record<string, Record<string, string>>;

export function loadTemplates(): Templates {
  if (typeof __RAMP_TEMPLATES__ === 'undefined') throw new Error('ramp was built without its templates (define __RAMP_TEMPLATES__; see labs/ramp/build.mjs)');
  return __RAMP_TEMPLATES__;
}

export function fillTemplate(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (m, k: string) => (k in vars ? vars[k]! : m));
}
