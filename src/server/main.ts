/**
 * Entry point: `npm run serve` (over an existing build) and `npm start` (builds first when needed).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, readConfig } from './config.ts';
import { createService } from './app.ts';
import { bindRefusal, labRunner, labRunnerEnv } from './lab-runner/index.ts';
import { chooseSandbox } from './lab-runner/sandbox-drivers.ts';
import { treeLoader } from './lab-runner/trees.ts';
import { readFeedbackConfig } from './feedback/config.ts';
import { feedbackPart } from './feedback/part.ts';
import { describeStore } from './store/index.ts';
import { workshopsPart } from './workshops/part.ts';
import { readWorkshopConfig } from './workshops/config.ts';
import { loadPersonas, personaIds, projectRoot } from '../shared/personas.ts';
import { labSteps } from '../shared/lab-files.ts';

const DRAIN_TIMEOUT_MS = 10_000;

function fail(message: string, hint: string): never {
  console.error(`onramp: ${message}\n  ${hint}`);
  process.exit(1);
}

async function main() {
  let config;
  let feedbackConfig;
  let workshopConfig;
  try {
    config = readConfig();
    feedbackConfig = readFeedbackConfig();
    workshopConfig = readWorkshopConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 'Fix the variable, or unset it to use the default.');
    throw error;
  }
  if (!existsSync(join(config.siteDir, 'index.html'))) {
    fail(`no built site in ${config.siteDir}.`, 'Run `npm run build` first, or use `npm start`, which builds when needed.');
  }
  let feedback;
  try {
    feedback = await feedbackPart(feedbackConfig, personaIds(), undefined, labSteps(projectRoot()));
  } catch (error) {
    fail(`cannot open the feedback store (${describeStore(feedbackConfig.store)}): ${(error as Error).message}`, 'Check DATABASE_URL or ONRAMP_DB.');
  }
  console.log(`Onramp stores feedback and events in ${describeStore(feedbackConfig.store)}`);
  if (feedback.bootstrap.generated) {
    console.log(`Onramp admin token (shown this once; stored hashed, so it stays valid across restarts): ${feedback.bootstrap.generated}`);
    console.log('  Manage tokens with: npm run tokens -- list | create NAME --role admin|instructor | revoke NAME');
  }
  if (feedback.bootstrap.note) console.log(`Onramp: ${feedback.bootstrap.note}`);
  let labs;
  try {
    labs = labRunnerEnv();
  } catch (error) {
    fail((error as Error).message, 'Fix the variable, or unset it to use the default.');
  }
  let choice;
  try {
    choice = chooseSandbox(labs.sandboxKind, labs.limits);
  } catch (error) {
    fail((error as Error).message, 'Install bubblewrap (Debian: apt-get install bubblewrap), or choose another ONRAMP_LAB_SANDBOX.');
  }
  const refusal = bindRefusal(config.host, choice.driver, labs.enabled, choice.fallback);
  if (refusal) fail(refusal, 'Install bubblewrap (apt-get install bubblewrap) or use ONRAMP_LAB_SANDBOX=container; or serve on HOST=127.0.0.1; or turn the runner off (ONRAMP_LAB_RUNNER=off).');
  if (labs.enabled) {
    const note = choice.fallback ? ` (no sandbox: ${choice.fallback}; listening on loopback only)` : '';
    console.log(`Onramp lab sessions run in: ${choice.driver.kind}${note}`);
  }
  const labPart = labRunner({ ...labs, sandbox: choice.driver, trustProxy: feedbackConfig.trustProxy, loadTree: treeLoader(config.siteDir, process.cwd()) });
  const paths = new Map(loadPersonas().map((p) => [p.id, p.path]));
  const workshops = workshopsPart({ store: feedback.store, labs: labSteps(projectRoot()), paths, siteDir: config.siteDir, retentionMs: workshopConfig.retentionMs, limits: { maxRooms: workshopConfig.maxRooms, endedGraceMs: workshopConfig.endedGraceMs } }, feedback);
  feedback.useEventHooks(workshops.hooks);
  const service = await createService(config, [workshops, feedback, labPart]);
  service.server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') fail(`port ${config.port} on ${config.host} is already in use.`, 'Stop the other process, or choose another port: PORT=4322 npm start');
    if (error.code === 'EACCES') fail(`not allowed to listen on ${config.host}:${config.port}.`, 'Use a port above 1024, e.g. PORT=4321.');
    if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') fail(`cannot listen on host ${config.host}.`, 'Set HOST to an address of this machine, e.g. HOST=127.0.0.1 or HOST=0.0.0.0.');
    fail(error.message, 'See the error above.');
  });
  service.server.listen(config.port, config.host, () => {
    const address = service.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    console.log(`Onramp is serving ${config.siteDir} on http://${shown}:${port}/`);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`Onramp: ${signal} received, finishing open requests…`);
    const force = setTimeout(() => {
      console.error('Onramp: requests still open after 10 s; exiting anyway.');
      process.exit(1);
    }, DRAIN_TIMEOUT_MS);
    force.unref();
    service.close().then(
      () => process.exit(0),
      (error) => {
        console.error('Onramp: error while shutting down:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

await main();
