// bench/site: Onramp's site against a bare Starlight build of the same pages, in one run.
//   1. JS + HTML bytes (gzip) of the home page and guide pages   goal ≤ 1.15× bare
//   2. Lighthouse on home, a persona page and the headline guide  goal perf ≥ 95, a11y 100, BP ≥ 95
//   3. a generated 1,000-page site: build time (goal ≤ 1.2× bare) and HTML bytes per page (≤ 0.5×)
// Usage: node bench/site/run.mjs [--skip-lighthouse] [--skip-large] [--pages 1000]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'bench', 'site', 'out');
const args = process.argv.slice(2);
const PAGES = Number(args[args.indexOf('--pages') + 1] || 1000) || 1000;
const env = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' };

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const ratio = (a, b) => (a / b).toFixed(2) + '×';
const kB = (n) => (n / 1024).toFixed(1) + ' kB';

/** The committed project (git HEAD), sharing node_modules by hard links (cheap). */
function onrampProject(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git -C "${root}" archive HEAD | tar -x -C "${dir}"`]);
  linkModules(dir);
}

/** node_modules by hard links, minus the caches Astro and Vite keep there for the main project. */
function linkModules(dir) {
  execFileSync('cp', ['-al', join(root, 'node_modules'), join(dir, 'node_modules')]);
  for (const cache of ['.astro', '.vite']) rmSync(join(dir, 'node_modules', cache), { recursive: true, force: true });
}

/** Strips Onramp's components from MDX so bare Starlight renders the same prose. */
function bareMdx(text) {
  return text
    .split('\n')
    .filter((line) => !/^import .* from ['"][./]*src\//.test(line) && !/^<(PersonaChooser|PersonaPath|Lab)\b.*\/>\s*$/.test(line.trim()))
    .join('\n');
}

function bareProject(dir, sections = []) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src', 'content'), { recursive: true });
  linkModules(dir);
  const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const deps = { astro: dependencies.astro, '@astrojs/starlight': dependencies['@astrojs/starlight'] };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bare', type: 'module', private: true, dependencies: deps }));
  const copy = (from, to) => {
    for (const name of readdirSync(from)) {
      const src = join(from, name);
      const dst = join(to, name);
      if (statSync(src).isDirectory()) {
        mkdirSync(dst, { recursive: true });
        copy(src, dst);
      } else writeFileSync(dst, name.endsWith('.mdx') ? bareMdx(readFileSync(src, 'utf8')) : readFileSync(src));
    }
  };
  mkdirSync(join(dir, 'src', 'content', 'docs'), { recursive: true });
  copy(join(out, 'onramp', 'content', 'docs'), join(dir, 'src', 'content', 'docs'));
  writeFileSync(
    join(dir, 'src', 'content.config.ts'),
    `import { defineCollection } from 'astro:content';\nimport { docsLoader } from '@astrojs/starlight/loaders';\nimport { docsSchema } from '@astrojs/starlight/schema';\nexport const collections = { docs: defineCollection({ loader: docsLoader(), schema: docsSchema() }) };\n`,
  );
  const groups = [
    { label: 'Start here', items: [{ slug: 'about' }, { label: 'Personas', items: [{ autogenerate: { directory: 'personas' } }] }] },
    { label: 'Guides', items: [{ autogenerate: { directory: 'guides' } }] },
    { label: 'Playbooks', collapsed: true, items: [{ autogenerate: { directory: 'playbooks' } }] },
    { label: 'Reference', items: [{ autogenerate: { directory: 'reference' } }] },
    ...sections.map((s) => ({ label: s, collapsed: true, items: [{ autogenerate: { directory: s } }] })),
  ];
  writeFileSync(
    join(dir, 'astro.config.mjs'),
    `import { defineConfig } from 'astro/config';\nimport starlight from '@astrojs/starlight';\nexport default defineConfig({ integrations: [starlight({ title: 'Onramp', sidebar: ${JSON.stringify(groups)} })] });\n`,
  );
}

function build(dir, command, extraEnv = {}) {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, command, { cwd: dir, env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'inherit'] });
  return Number(process.hrtime.bigint() - started) / 1e9;
}
const buildOnramp = (dir, extraEnv) => build(dir, [join(dir, 'scripts', 'build.mjs')], extraEnv);
const buildBare = (dir) => build(dir, [join(dir, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build']);

/** gzip bytes of a page's HTML and every script it loads up front (script src + their static imports). */
function pageBytes(dist, page) {
  const html = readFileSync(join(dist, page, 'index.html'));
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|[;\s}])import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+\.js)["']/g)) visit(join(dirname(file), m[1]));
  };
  for (const m of html.toString().matchAll(/<script[^>]*\bsrc="([^"]+)"/g)) visit(join(dist, m[1]));
  const js = [...seen].reduce((sum, f) => sum + gz(readFileSync(f)), 0);
  return { html: gz(html), js, total: gz(html) + js, files: [...seen].map((f) => relative(dist, f)) };
}

async function serve(siteDir, port) {
  const child = spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', join(root, 'src/server/main.ts')], {
    env: { ...env, PORT: String(port), ONRAMP_SITE_DIR: siteDir, ONRAMP_DB: join(out, 'bench.db') },
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('service did not start');
}

async function lighthouse(url) {
  const { default: lh } = await import('lighthouse');
  const chromeLauncher = await import('chrome-launcher');
  const chrome = await chromeLauncher.launch({
    chromePath: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const result = await lh(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility', 'best-practices'] });
    const c = result.lhr.categories;
    const failing = Object.values(result.lhr.audits)
      .filter((a) => a.score !== null && a.score < 1 && ['accessibility', 'best-practices'].some((cat) => c[cat].auditRefs.some((r) => r.id === a.id && r.weight > 0)))
      .map((a) => a.id);
    return { performance: Math.round(c.performance.score * 100), accessibility: Math.round(c.accessibility.score * 100), bestPractices: Math.round(c['best-practices'].score * 100), failing };
  } finally {
    await chrome.kill();
  }
}

function generatePages(docsDir, count, perSection = 100) {
  const sections = [];
  const words = 'model pipeline feature endpoint latency drift registry canary rollback contract schema batch online serving platform team owner quota'.split(' ');
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const para = (n) => Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]).join(' ') + '.';
  for (let i = 0; i < count; i++) {
    const section = `bench-${String(Math.floor(i / perSection)).padStart(2, '0')}`;
    if (!sections.includes(section)) sections.push(section);
    mkdirSync(join(docsDir, section), { recursive: true });
    const body = Array.from({ length: 6 }, (_, k) => `## Part ${k + 1}\n\n${para(80)} ${para(80)}\n\n\`\`\`bash\nramp predict model-${i}.pkl --input rows-${k}.json --json\n\`\`\`\n`).join('\n');
    writeFileSync(join(docsDir, section, `page-${String(i).padStart(4, '0')}.md`), `---\ntitle: Generated page ${i}\npersonas: [data-scientist]\nkind: guide\n---\n\n${para(40)}\n\n${body}`);
  }
  return sections;
}

function htmlPerPage(dist, sections) {
  let raw = 0, zipped = 0, n = 0;
  for (const s of sections) {
    for (const page of readdirSync(join(dist, s))) {
      const html = readFileSync(join(dist, s, page, 'index.html'));
      raw += html.length;
      zipped += gz(html);
      n++;
    }
  }
  return { raw: raw / n, gz: zipped / n, pages: n };
}

mkdirSync(out, { recursive: true });
const results = {};

// 1. Bytes on the real site.
console.log('Building Onramp and bare Starlight with the same content…');
const onrampDir = join(out, 'onramp');
const bareDir = join(out, 'bare');
onrampProject(onrampDir); // the bare copy takes its pages from this one
bareProject(bareDir);
const tOnramp = buildOnramp(onrampDir);
const tBare = buildBare(bareDir);
console.log(`  builds: Onramp ${tOnramp.toFixed(1)} s, bare ${tBare.toFixed(1)} s`);
console.log('\nJS + HTML, gzip, loaded up front:');
results.bytes = {};
const PAGES_MEASURED = [
  ['', 'goal ≤ 1.15×'],
  ['guides/ship-a-model-version', 'goal ≤ 1.15×'],
  ['guides/pkl-to-endpoint', 'no goal: embeds the lab, whose steps bare Starlight does not have'],
  ['personas/data-scientist', 'no goal: for reference'],
];
for (const [page, note] of PAGES_MEASURED) {
  const a = pageBytes(join(onrampDir, 'dist'), page);
  const b = pageBytes(join(bareDir, 'dist'), page);
  results.bytes[page || '/'] = { onramp: a, bare: b, ratio: a.total / b.total };
  console.log(`  /${page}${page ? '/' : ''}: Onramp ${kB(a.total)} (HTML ${kB(a.html)} + JS ${kB(a.js)}) vs bare ${kB(b.total)} → ${ratio(a.total, b.total)} (${note})`);
}

// 2. Lighthouse.
if (!args.includes('--skip-lighthouse')) {
  console.log('\nLighthouse (default mobile emulation and throttling, Chromium, localhost, served by the Onramp service):');
  const server = await serve(join(onrampDir, 'dist'), 4481);
  results.lighthouse = {};
  try {
    for (const page of ['/', '/personas/data-scientist/', '/guides/pkl-to-endpoint/']) {
      const r = await lighthouse(`http://127.0.0.1:4481${page}`);
      results.lighthouse[page] = r;
      console.log(`  ${page}: performance ${r.performance}, accessibility ${r.accessibility}, best practices ${r.bestPractices}${r.failing.length ? ` (failing: ${r.failing.join(', ')})` : ''}`);
    }
  } finally {
    server.kill();
  }
}

// 3. A generated large site.
if (!args.includes('--skip-large')) {
  console.log(`\nGenerated site with ${PAGES} extra pages:`);
  onrampProject(onrampDir);
  const sections = generatePages(join(onrampDir, 'content', 'docs'), PAGES);
  bareProject(bareDir, sections);
  const bigOnramp = buildOnramp(onrampDir, { ONRAMP_EXTRA_SECTIONS: JSON.stringify(sections) });
  const bigBare = buildBare(bareDir);
  const a = htmlPerPage(join(onrampDir, 'dist'), sections);
  const b = htmlPerPage(join(bareDir, 'dist'), sections);
  results.large = { pages: a.pages, build: { onramp: bigOnramp, bare: bigBare }, htmlPerPage: { onramp: a, bare: b } };
  console.log(`  build: Onramp ${bigOnramp.toFixed(1)} s vs bare ${bigBare.toFixed(1)} s → ${ratio(bigOnramp, bigBare)} (goal ≤ 1.2×)`);
  console.log(`  HTML per page: Onramp ${kB(a.raw)} raw / ${kB(a.gz)} gzip vs bare ${kB(b.raw)} / ${kB(b.gz)} → ${ratio(a.raw, b.raw)} raw, ${ratio(a.gz, b.gz)} gzip (goal ≤ 0.5×)`);
}

writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 2));
console.log(`\nDetails: ${relative(root, join(out, 'results.json'))}`);
