/**
 * The SQLite writer, in a worker thread: it owns the write connection, so each COMMIT (and its
 * fsync, with synchronous=FULL) blocks this thread, never the thread answering HTTP requests.
 * Messages: { seq, jobs } → { seq, results } or { seq, error }; { close: true } closes the file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';
import { commitJobs, configure } from './sqlite-common.ts';
import type { WriteJob } from './types.ts';

const { file, synchronous } = workerData as { file: string; synchronous: 'full' | 'normal' };
const db = new DatabaseSync(file, { timeout: 5000 });
configure(db, synchronous);
const commit = commitJobs(db);

parentPort!.on('message', (message: { seq: number; jobs: WriteJob[] } | { close: true }) => {
  if ('close' in message) {
    db.close();
    parentPort!.postMessage({ closed: true });
    return;
  }
  try {
    parentPort!.postMessage({ seq: message.seq, results: commit(message.jobs) });
  } catch (error) {
    parentPort!.postMessage({ seq: message.seq, error: (error as Error).message });
  }
});
