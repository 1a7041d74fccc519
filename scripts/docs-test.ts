// `npm run docs:test`: runs every session in content/docs (README: "Tested commands in pages") with
// a freshly built ramp, and fails on any difference, naming the page, the block's line, the command
// and a unified diff. Options:
//   --update         rewrite the expected outputs that differ, in place (review them with git diff)
//   --report FILE    also write the counts as JSON (npm test reads them)
//   WORD …           only pages whose path contains one of the words
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runDocs } from './docs/run.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const update = args.includes('--update');
const reportAt = args.indexOf('--report');
const reportFile = reportAt >= 0 ? args[reportAt + 1] : undefined;
const filter = args.filter((a, i) => !a.startsWith('--') && (reportAt < 0 || i !== reportAt + 1));

const { buildRamp } = (await import(pathToFileURL(join(root, 'labs', 'ramp', 'build.mjs')).href)) as {
  buildRamp: () => Promise<{ outfile: string }>;
};
const { outfile } = await buildRamp();
const report = await runDocs({ root, ramp: outfile, update, filter });

const secs = (report.ms / 1000).toFixed(1);
const blocks = report.blocks.length;
console.log(
  `\ndocs:test: ${blocks} block${blocks === 1 ? '' : 's'} on ${report.pages} page${report.pages === 1 ? '' : 's'}: ` +
    `${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped (${secs} s` +
    `${report.isolated ? '' : '; no private network namespace on this machine, sessions share its loopback'})`,
);
if (report.updatedFiles.length) console.log(`Rewrote expected output in: ${report.updatedFiles.join(', ')} (review with git diff)`);
if (reportFile) {
  mkdirSync(dirname(resolve(reportFile)), { recursive: true });
  writeFileSync(reportFile, JSON.stringify({ passed: report.passed, failed: report.failed, skipped: report.skipped, pages: report.pages, ms: report.ms }));
}
process.exit(report.failed ? 1 : 0);
