// `npm run labs:check`: every lab on the lab runner (Vitest, test/labs) and in the tab (Playwright,
// test/e2e/lab-tab-all.spec.ts: headless Chromium, the built site on a plain static host). Builds
// the site first when it is stale.
import { build } from './build.mjs';
import { bin, buildIsStale, run } from './lib.mjs';

const runner = await run(bin('vitest'), ['run', 'test/labs']);
let tab = 1;
if (!buildIsStale() || (await build()) === 0) tab = await run(bin('playwright'), ['test', 'test/e2e/lab-tab-all.spec.ts', '--reporter=list']);
console.log(`\nlabs:check — on the runner: ${runner === 0 ? 'passed' : 'FAILED'}; in the tab: ${tab === 0 ? 'passed' : 'FAILED'}`);
process.exit(runner || tab ? 1 : 0);
