import { defineConfig } from 'vitest/config';
import { rampDefines } from './labs/ramp/build.mjs';

export default defineConfig({
  // ramp's sources expect its templates and conventions compiled in, as in its bundle.
  define: rampDefines(),
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 20_000,
    pool: 'forks',
  },
});
