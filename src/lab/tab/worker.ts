/**
 * The in-tab lab's Worker: the engine (just-bash, ramp, the virtual network) behind the protocol
 * in `protocol.ts`. Each `node` run gets a Worker of its own (`node-worker.ts`).
 */
import { workerNodeRunner } from './node-runner.ts';
import { serveEngine, type Port } from './protocol.ts';
import nodeWorkerUrl from './node-worker.ts?worker&url';

const makeNodeWorker = () => new Worker(nodeWorkerUrl, { type: 'module', name: 'lab node' });
serveEngine(self as unknown as Port, { runNode: workerNodeRunner(makeNodeWorker) });
