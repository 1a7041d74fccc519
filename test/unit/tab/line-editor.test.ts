import { describe, expect, it } from 'vitest';
import { LineEditor } from '../../../src/lab/tab/line-editor.ts';

/** An editor over a fake terminal: what it printed, the lines it ran, Ctrl-C while busy. */
function setup(complete: (word: string) => string[] = () => []) {
  const out: string[] = [];
  const lines: string[] = [];
  let interrupts = 0;
  const editor = new LineEditor({
    write: (d) => out.push(d),
    prompt: () => '$ ',
    onLine: (l) => lines.push(l),
    onInterrupt: () => interrupts++,
    complete,
  });
  editor.showPrompt();
  return { editor, out, lines, interrupts: () => interrupts, screen: () => out.join('') };
}

describe('LineEditor', () => {
  it('runs a typed line on Enter and is busy until done()', () => {
    const t = setup();
    t.editor.feed('echo hi\r');
    expect(t.lines).toEqual(['echo hi']);
    expect(t.editor.isBusy).toBe(true);
    t.editor.done();
    expect(t.editor.isBusy).toBe(false);
  });

  it('edits in the middle of the line: ←, Backspace, Delete, Home, End, Ctrl-U, Ctrl-W', () => {
    const t = setup();
    t.editor.feed('ecxho\x1b[D\x1b[D\x7f\r');
    expect(t.lines.pop()).toBe('echo');
    t.editor.done();
    t.editor.feed('Xecho\x1b[H\x1b[3~\x1b[F!\r');
    expect(t.lines.pop()).toBe('echo!');
    t.editor.done();
    t.editor.feed('rm -rf tmp\x15ls\r');
    expect(t.lines.pop()).toBe('ls');
    t.editor.done();
    t.editor.feed('cat one two\x17three\r');
    expect(t.lines.pop()).toBe('cat one three');
  });

  it('recalls history with ↑ and ↓, keeping the draft', () => {
    const t = setup();
    for (const l of ['first', 'second']) {
      t.editor.feed(`${l}\r`);
      t.editor.done();
    }
    t.editor.feed('dra\x1b[A\x1b[A\r');
    expect(t.lines.pop()).toBe('first');
    t.editor.done();
    t.editor.feed('dra\x1b[A\x1b[B\r');
    expect(t.lines.pop()).toBe('dra');
  });

  it('Ctrl-C drops the line at the prompt, and interrupts (never queues) while busy', () => {
    const t = setup();
    t.editor.feed('half a line\x03');
    expect(t.lines).toEqual([]);
    expect(t.screen()).toContain('^C');
    t.editor.feed('sleep 600\r');
    t.editor.feed('typed ahead\x03');
    expect(t.interrupts()).toBe(1);
    t.editor.done();
    // What was typed before Ctrl-C is dropped with it.
    t.editor.feed('\r');
    expect(t.lines).toEqual(['sleep 600']);
  });

  it('replays keys typed while a command ran', () => {
    const t = setup();
    t.editor.feed('slow\r');
    t.editor.feed('next\r');
    expect(t.lines).toEqual(['slow']);
    t.editor.done();
    expect(t.lines).toEqual(['slow', 'next']);
  });

  it('Ctrl-L clears the screen and redraws the line', () => {
    const t = setup();
    t.editor.feed('ls\x0c');
    expect(t.screen()).toContain('\x1b[2J');
    expect(t.screen().endsWith('$ ls')).toBe(true);
  });

  it('completes file names with Tab: the common prefix, then the choices on a second Tab', async () => {
    const t = setup((word) => ['churn.joblib', 'call.mjs', 'churn-endpoint/'].filter((f) => f.startsWith(word)));
    t.editor.feed('ramp inspect chu\t');
    await Promise.resolve();
    await Promise.resolve();
    t.editor.feed('\t');
    await Promise.resolve();
    await Promise.resolve();
    expect(t.screen()).toContain('churn-endpoint/  churn.joblib');
    t.editor.feed('.\t');
    await Promise.resolve();
    await Promise.resolve();
    t.editor.feed('\r');
    expect(t.lines).toEqual(['ramp inspect churn.joblib ']);
  });

  it('prints notices above the prompt without losing the typed text', () => {
    const t = setup();
    t.editor.feed('ech');
    t.editor.notice('[1]+  Done  ramp serve');
    expect(t.screen()).toMatch(/\[1\]\+  Done  ramp serve\r\n\r\x1b\[K\$ ech$/);
    t.editor.feed('o\r');
    expect(t.lines).toEqual(['echo']);
  });
});
