/**
 * A command that ignores Ctrl-C (in the browser: a synchronous loop in the engine's Worker) is
 * stopped by ending the Worker; the runtime starts a new one with the files the lab had after its
 * last command, and the terminal says so. The stuck engine here is a port that stops answering.
 */
import { describe, expect, it } from 'vitest';
import { TabRuntime } from '../../../src/lab/tab/runtime.ts';
import { serveEngine, type Port } from '../../../src/lab/tab/protocol.ts';
import { until } from '../../helpers/until.ts';

/** A real engine on a channel, whose replies stop once `stuck` is set (as a Worker in a loop). */
function engine(state: { stuck: boolean; terminated: number }) {
  const channel = new MessageChannel();
  serveEngine(channel.port2 as unknown as Port);
  const port1 = channel.port1;
  const outside = {
    onmessage: null as ((e: MessageEvent) => void) | null,
    postMessage(message: { req: { op: string; text?: string } }) {
      if (message.req.op === 'line' && message.req.text === 'spin') state.stuck = true;
      port1.postMessage(message);
    },
    terminate() {
      state.terminated++;
      port1.close();
    },
  };
  port1.onmessage = (e) => {
    if (!state.stuck) outside.onmessage?.(e);
  };
  return outside;
}

describe('TabRuntime when a command will not stop', () => {
  it('ends the Worker after the grace time, starts a new one with the saved files, and says so', async () => {
    const state = { stuck: false, terminated: 0 };
    const tree = { 'a.txt': { file: { contents: 'starter' } } };
    const rt = new TabRuntime({
      treeUrl: '/tree.json',
      previewBase: '/lab-tab/preview/s/',
      fetch: (async () => new Response(JSON.stringify(tree))) as unknown as typeof fetch,
      connect: () => {
        state.stuck = false;
        return engine(state);
      },
      graceMs: 50,
    });
    await rt.boot(() => {});
    let out = '';
    const shell = await rt.shell({ cols: 80, rows: 24 }, (d) => (out += d));
    shell.write('echo saved > a.txt\r');
    // The prompt comes back after the line (the command finished).
    expect(await until(() => /a\.txt\r\n\x1b\[1;36mlab/.test(out)), JSON.stringify(out)).toBe(true);
    shell.write('spin\r');
    shell.write('\x03');
    expect(await until(() => out.includes('did not stop on Ctrl-C')), JSON.stringify(out)).toBe(true);
    expect(state.terminated).toBe(1);
    // The new engine has the file as the last finished command left it.
    shell.write('cat a.txt\r');
    expect(await until(() => /saved\r\n/.test(out.slice(out.lastIndexOf('cat a.txt'))))).toBe(true);
    await rt.teardown();
  });
});
