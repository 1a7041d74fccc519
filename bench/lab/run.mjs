// Lab figures (not a test): on the lab runner and in the tab, in headless Chromium,
//   Start → interactive prompt, and Start → first successful prediction,
// against a baseline that installs the CLI with `npm install` inside the lab before first use (the
// common TutorialKit pattern: a prepare command installs the package; here offline, from a packed
// tarball, so the baseline is as fast as npm can possibly be), and the lab page's JavaScript before
// Start compared with a guide page's.
//
//   npm run build && node bench/lab/run.mjs [--runs 5]      (ONRAMP_LAB_SANDBOX=none to compare without the sandbox)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { createService } from '../../src/server/app.ts';
import { labRunner } from '../../src/server/lab-runner/index.ts';
import { treeLoader } from '../../src/server/lab-runner/trees.ts';
import { chooseSandbox } from '../../src/server/lab-runner/sandbox-drivers.ts';
import { DEFAULT_LIMITS } from '../../src/server/lab-runner/sandbox.ts';

const root = resolve(import.meta.dirname, '../..');
const dist = join(root, 'dist');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
if (!existsSync(join(dist, 'labs/pkl-to-endpoint/index.html'))) {
  console.error('bench/lab: build the site first (npm run build).');
  process.exit(1);
}

// The baseline lab: the same starter files, without bin/ramp, plus a packed tarball of the CLI.
const pkgDir = mkdtempSync(join(tmpdir(), 'ramp-pkg-'));
copyFileSync(join(root, 'labs/ramp/dist/ramp.mjs'), join(pkgDir, 'ramp.mjs'));
writeFileSync(join(pkgDir, 'package.json'), JSON.stringify({ name: 'ramp-cli', version: '1.0.0', type: 'module', bin: { ramp: 'ramp.mjs' } }));
const npm = ['/usr/local/bin/npm', '/usr/bin/npm', join(dirname(process.execPath), 'npm')].find((p) => existsSync(p)) ?? 'npm';
const tgzName = execFileSync(npm, ['pack', '--silent', '--pack-destination', pkgDir], { cwd: pkgDir, encoding: 'utf8' }).trim().split('\n').pop();
const tgz = readFileSync(join(pkgDir, tgzName));
const load = treeLoader(dist, root);
const loadTree = async (lab) => {
  if (lab !== 'pkl-to-endpoint-npm') return load(lab);
  const tree = structuredClone(await load('pkl-to-endpoint'));
  delete tree.bin.directory.ramp;
  tree['ramp-cli-1.0.0.tgz'] = { file: { base64: tgz.toString('base64') } };
  return tree;
};

// ONRAMP_LAB_SANDBOX=none|bubblewrap compares the sandbox's cost (default: as the service chooses).
const sandbox = chooseSandbox(process.env.ONRAMP_LAB_SANDBOX || 'auto', DEFAULT_LIMITS).driver;
const service = await createService({ port: 0, host: '127.0.0.1', siteDir: dist }, [labRunner({ loadTree, maxSessions: 4, sandbox, createPerMinute: 0 })]);
await new Promise((r) => service.server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${service.server.address().port}`;
const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });

const INSTALL = 'npm install --offline --no-audit --no-fund --no-update-notifier ./ramp-cli-1.0.0.tgz >/dev/null 2>&1 && export PATH=$PWD/node_modules/.bin:$PATH && echo INSTALLED-$((40+2))';
const PREDICT = 'ramp predict churn.joblib --input rows.json --json';

async function once(variant) {
  const context = await browser.newContext();
  const tab = variant.startsWith('tab');
  if (variant === 'tab-warm') {
    // The runtime's code in the HTTP cache and the preview's Service Worker installed: a second lab.
    const first = await context.newPage();
    await first.goto(`${base}/labs/pkl-to-endpoint/?runtime=tab`);
    await first.getByRole('button', { name: 'Start the lab' }).click();
    await first.locator('onramp-lab[data-ready="tab"]').waitFor({ timeout: 60_000 });
    await first.close();
  }
  const page = await context.newPage();
  const startJs = [];
  if (tab) {
    page.on('response', (res) => {
      if (!page.__started || !/javascript/.test(res.headers()['content-type'] ?? '')) return;
      startJs.push(res.body().then((b) => (res.fromServiceWorker() ? 0 : gzipSync(b).length)).catch(() => 0));
    });
  }
  if (variant === 'npm') await page.route('**/api/labs/pkl-to-endpoint/sessions', (route) => route.continue({ url: `${base}/api/labs/pkl-to-endpoint-npm/sessions` }));
  await page.goto(`${base}/labs/pkl-to-endpoint/?runtime=${tab ? 'tab' : 'runner'}`);
  const terminal = page.locator('[data-terminal]');
  // Timed in the page: t0 at the Start click, marks when the terminal's text first matches.
  await page.evaluate(() => {
    const w = window;
    w.__marks = {};
    document.querySelector('[data-action="start"]').addEventListener('click', () => (w.__marks.start = performance.now()), { capture: true });
    const patterns = { prompt: /lab:\S*[$#]/, installed: /INSTALLED-42/, prediction: /"predictions"/ };
    new MutationObserver(() => {
      const text = document.querySelector('[data-terminal]')?.textContent ?? '';
      for (const [name, re] of Object.entries(patterns)) if (!w.__marks[name] && re.test(text)) w.__marks[name] = performance.now();
    }).observe(document.querySelector('onramp-lab'), { subtree: true, childList: true, characterData: true });
  });
  const mark = (name) => page.waitForFunction((n) => window.__marks[n], name, { timeout: 120_000, polling: 'raf' }).then((h) => h.jsonValue());
  // A person's pointer rests on Start a moment before the click (which is when the lab fetches its
  // terminal code); both variants get the same 300 ms.
  const start = page.getByRole('button', { name: 'Start the lab' });
  page.__started = true; // JS counted from the intent to start (the tab's Worker loads on hover)
  await start.hover();
  await page.waitForTimeout(300);
  await start.click();
  const t0 = await mark('start');
  let prompt = (await mark('prompt')) - t0;
  await page.locator('[data-terminal] textarea').focus();
  if (variant === 'npm') {
    // The install runs before the learner gets the prompt (TutorialKit's prepareCommands).
    await page.keyboard.insertText(INSTALL);
    await page.keyboard.press('Enter');
    prompt = (await mark('installed')) - t0;
  }
  await page.keyboard.insertText(PREDICT);
  await page.keyboard.press('Enter');
  const prediction = (await mark('prediction')) - t0;
  // Where Start → prompt goes: the lab's own User Timing marks (src/lab/timing.ts), from the click.
  const phases = await page.evaluate((t) => Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('onramp-lab:')).map((m) => [m.name.slice(11), m.startTime - t])), t0);
  await context.close();
  const jsOnStart = (await Promise.all(startJs)).reduce((a, b) => a + b, 0);
  return { prompt, prediction, phases, jsOnStart };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const variant of ['bundled', 'npm', 'tab-cold', 'tab-warm']) {
  const all = [];
  await once(variant); // warm-up
  for (let i = 0; i < runs; i++) all.push(await once(variant));
  const names = Object.keys(all[0].phases);
  const phases = Object.fromEntries(names.map((n) => [n, median(all.map((r) => r.phases[n] ?? NaN))]));
  results[variant] = { prompt: median(all.map((r) => r.prompt)), prediction: median(all.map((r) => r.prediction)), phases, jsOnStart: median(all.map((r) => r.jsOnStart)) };
}

// JavaScript before Start: the lab page against a guide page without a lab.
async function jsBytes(path) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const bodies = [];
  page.on('response', async (res) => {
    const type = res.headers()['content-type'] ?? '';
    if (type.includes('javascript')) bodies.push(res.body().then((b) => ({ url: res.url(), raw: b.length, gz: gzipSync(b).length })).catch(() => null));
  });
  await page.goto(base + path, { waitUntil: 'networkidle' });
  const list = (await Promise.all(bodies)).filter(Boolean);
  await context.close();
  return { raw: list.reduce((s, b) => s + b.raw, 0), gz: list.reduce((s, b) => s + b.gz, 0), files: list.length };
}
const guide = await jsBytes('/guides/call-a-model-from-your-app/');
const labPage = await jsBytes('/labs/pkl-to-endpoint/');

await browser.close();
await service.close();

const ms = (x) => `${Math.round(x)} ms`;
console.log(`Lab runner (sandbox: ${sandbox.kind}), headless Chromium, median of ${runs} runs (after one warm-up)`);
console.log(`                         bundled ramp   npm install baseline   ratio`);
console.log(`Start → prompt           ${ms(results.bundled.prompt).padEnd(15)}${ms(results.npm.prompt).padEnd(23)}${(results.npm.prompt / results.bundled.prompt).toFixed(1)}×`);
console.log(`Start → first prediction ${ms(results.bundled.prediction).padEnd(15)}${ms(results.npm.prediction).padEnd(23)}${(results.npm.prediction / results.bundled.prediction).toFixed(1)}×`);
console.log('Where Start → prompt goes (bundled, median ms after the click; src/lab/timing.ts marks):');
let previous = 0;
for (const [name, at] of Object.entries(results.bundled.phases).sort((x, y) => x[1] - y[1])) {
  console.log(`  ${name.padEnd(20)} at ${ms(at).padStart(7)}   (+${Math.round(at - previous)})`);
  previous = at;
}
console.log('Where Start → prompt goes in the tab (warm cache):');
previous = 0;
for (const [name, at] of Object.entries(results['tab-warm'].phases).sort((x, y) => x[1] - y[1])) {
  console.log(`  ${name.padEnd(20)} at ${ms(at).padStart(7)}   (+${Math.round(at - previous)})`);
  previous = at;
}
console.log(`In the tab (no server for the lab):  cold cache        warm cache        runner`);
console.log(`Start → prompt           ${ms(results['tab-cold'].prompt).padEnd(18)}${ms(results['tab-warm'].prompt).padEnd(18)}${ms(results.bundled.prompt)}`);
console.log(`Start → first prediction ${ms(results['tab-cold'].prediction).padEnd(18)}${ms(results['tab-warm'].prediction).padEnd(18)}${ms(results.bundled.prediction)}`);
console.log(`JS loaded from hover on Start to the prompt: ${(results['tab-cold'].jsOnStart / 1024).toFixed(0)} kB gzip (cold cache)`);
console.log(`Goals in the tab: prompt ≤ 300 ms warm: ${results['tab-warm'].prompt <= 300 ? 'met' : 'NOT met'}; ≤ 1 s cold: ${results['tab-cold'].prompt <= 1000 ? 'met' : 'NOT met'}`);
console.log(`JS before Start: lab page ${(labPage.gz / 1024).toFixed(1)} kB gzip (${labPage.files} files), guide page ${(guide.gz / 1024).toFixed(1)} kB gzip → +${((labPage.gz - guide.gz) / 1024).toFixed(1)} kB (goal ≤ 10 kB)`);
console.log(`Goals: prompt ≤ 300 ms: ${results.bundled.prompt <= 300 ? 'met' : 'NOT met'}; ≥ 5× faster than the baseline: ${results.npm.prompt / results.bundled.prompt >= 5 ? 'met' : 'NOT met'}`);
