// `npm start`: build the site when dist/ is missing or older than its sources, then run the service.
import { join } from 'node:path';
import { build } from './build.mjs';
import { buildIsStale, nodeTsFlags, root, run } from './lib.mjs';

if (buildIsStale()) {
  console.log('Onramp: building the site (dist/ is missing or out of date)…');
  const code = await build();
  if (code !== 0) {
    console.error('Onramp: the build failed; see the errors above. Nothing was started.');
    process.exit(code);
  }
}
process.exit(await run(process.execPath, [...nodeTsFlags, join(root, 'src', 'server', 'main.ts')]));
