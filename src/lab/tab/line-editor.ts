/**
 * The in-tab shell's line editor: what a terminal's readline does, on the keystrokes xterm.js
 * hands over (`term.onData`). Editing (insert, Backspace, Delete, ←/→, Home/End, Ctrl-A/E/U/W/K),
 * history (↑/↓), Ctrl-C (interrupts the running command, or drops the line), Ctrl-L (clears the
 * screen) and Tab completion through a callback. Keys typed while a command runs are kept and
 * replayed at the next prompt, as a real terminal does; Ctrl-C is never kept. No DOM: it writes
 * escape sequences to `write`.
 */

export interface LineEditorOptions {
  write(data: string): void;
  /** The prompt, computed when it is shown (it carries the working directory). */
  prompt(): string;
  /** A complete line was entered. The editor is busy until `done()` is called. */
  onLine(line: string): void;
  /** Ctrl-C while a command runs. */
  onInterrupt(): void;
  /** Candidates for the word before the cursor (e.g. file names); may be async. */
  complete?(word: string, line: string): Promise<string[]> | string[];
  historyLimit?: number;
}

const CSI = '\x1b[';

export class LineEditor {
  private opts: LineEditorOptions;
  private buffer = '';
  private cursor = 0;
  private history: string[] = [];
  /** Index into history while browsing with ↑/↓; history.length when editing a new line. */
  private browsing = 0;
  /** The line being typed before ↑ was pressed. */
  private draft = '';
  private busy = false;
  private typeahead = '';
  private lastTab = false;

  constructor(opts: LineEditorOptions) {
    this.opts = opts;
  }

  get isBusy(): boolean {
    return this.busy;
  }

  /** Shows a fresh prompt (the first one, or after a command ends). */
  showPrompt(): void {
    this.buffer = '';
    this.cursor = 0;
    this.browsing = this.history.length;
    this.opts.write(this.opts.prompt());
  }

  /** The running command ended: prompt again and replay what was typed meanwhile. */
  done(): void {
    this.busy = false;
    this.showPrompt();
    const pending = this.typeahead;
    this.typeahead = '';
    if (pending) this.feed(pending);
  }

  /** Writes text above the prompt line (e.g. "[1]+ Done") without losing what is being typed. */
  notice(text: string): void {
    if (this.busy) return this.opts.write(text.endsWith('\n') ? text.replace(/\n/g, '\r\n') : `${text}\r\n`);
    this.opts.write(`\r${CSI}K${text.replace(/\n/g, '\r\n')}${text.endsWith('\n') ? '' : '\r\n'}`);
    this.redraw();
  }

  feed(data: string): void {
    for (let i = 0; i < data.length; i++) {
      if (this.busy) {
        if (data[i] === '\x03') {
          this.typeahead = '';
          this.opts.onInterrupt();
        } else this.typeahead += data[i];
        continue;
      }
      const seq = escapeAt(data, i);
      if (seq) {
        this.onEscape(seq);
        i += seq.length - 1;
        continue;
      }
      this.onKey(data[i]!);
    }
  }

  private onKey(ch: string): void {
    const wasTab = this.lastTab;
    this.lastTab = false;
    switch (ch) {
      case '\r':
      case '\n':
        return this.enter();
      case '\x7f':
      case '\b':
        if (this.cursor > 0) this.edit(this.buffer.slice(0, this.cursor - 1) + this.buffer.slice(this.cursor), this.cursor - 1);
        return;
      case '\x03':
        this.opts.write('^C\r\n');
        return this.showPrompt();
      case '\x0c':
        this.opts.write(`${CSI}2J${CSI}3J${CSI}H`);
        return this.redraw();
      case '\x01':
        return this.move(0);
      case '\x05':
        return this.move(this.buffer.length);
      case '\x15':
        return this.edit(this.buffer.slice(this.cursor), 0);
      case '\x0b':
        return this.edit(this.buffer.slice(0, this.cursor), this.cursor);
      case '\x17': {
        const before = this.buffer.slice(0, this.cursor).replace(/\S+\s*$/, '');
        return this.edit(before + this.buffer.slice(this.cursor), before.length);
      }
      case '\t':
        return void this.completeWord(wasTab);
      case '\x04':
        return; // no exit from the lab's shell
    }
    if (ch >= ' ') this.edit(this.buffer.slice(0, this.cursor) + ch + this.buffer.slice(this.cursor), this.cursor + 1);
  }

  private onEscape(seq: string): void {
    this.lastTab = false;
    switch (seq) {
      case `${CSI}A`:
        return this.recall(-1);
      case `${CSI}B`:
        return this.recall(1);
      case `${CSI}C`:
        return this.move(Math.min(this.buffer.length, this.cursor + 1));
      case `${CSI}D`:
        return this.move(Math.max(0, this.cursor - 1));
      case `${CSI}H`:
      case `${CSI}1~`:
      case '\x1bOH':
        return this.move(0);
      case `${CSI}F`:
      case `${CSI}4~`:
      case '\x1bOF':
        return this.move(this.buffer.length);
      case `${CSI}3~`:
        if (this.cursor < this.buffer.length) this.edit(this.buffer.slice(0, this.cursor) + this.buffer.slice(this.cursor + 1), this.cursor);
        return;
    }
  }

  private enter(): void {
    const line = this.buffer;
    this.move(this.buffer.length);
    this.opts.write('\r\n');
    if (!line.trim()) return this.showPrompt();
    if (this.history.at(-1) !== line) this.history.push(line);
    const limit = this.opts.historyLimit ?? 500;
    if (this.history.length > limit) this.history.splice(0, this.history.length - limit);
    this.busy = true;
    this.opts.onLine(line);
  }

  private recall(delta: number): void {
    const next = this.browsing + delta;
    if (next < 0 || next > this.history.length) return;
    if (this.browsing === this.history.length) this.draft = this.buffer;
    this.browsing = next;
    const text = next === this.history.length ? this.draft : this.history[next]!;
    this.edit(text, text.length);
  }

  private async completeWord(second: boolean): Promise<void> {
    if (!this.opts.complete) return;
    const before = this.buffer.slice(0, this.cursor);
    const word = /(\S*)$/.exec(before)![1]!;
    const line = this.buffer;
    const candidates = [...new Set(await this.opts.complete(word, line))].sort();
    if (this.busy || this.buffer !== line) return;
    if (candidates.length === 0) return;
    const common = commonPrefix(candidates);
    if (common.length > word.length) {
      const single = candidates.length === 1 && !common.endsWith('/');
      const insert = common.slice(word.length) + (single ? ' ' : '');
      this.edit(before + insert + this.buffer.slice(this.cursor), this.cursor + insert.length);
      this.lastTab = candidates.length > 1; // still ambiguous: the next Tab lists the choices
      return;
    }
    if (candidates.length > 1 && second) this.notice(candidates.map((c) => c.replace(/^.*\/(?=.)/, '')).join('  '));
    this.lastTab = true;
  }

  private edit(text: string, cursor: number): void {
    this.buffer = text;
    this.cursor = cursor;
    this.redraw();
  }

  private move(cursor: number): void {
    if (cursor === this.cursor) return;
    const delta = cursor - this.cursor;
    this.cursor = cursor;
    this.opts.write(delta > 0 ? `${CSI}${delta}C` : `${CSI}${-delta}D`);
  }

  private redraw(): void {
    const back = this.buffer.length - this.cursor;
    this.opts.write(`\r${CSI}K${this.opts.prompt()}${this.buffer}${back ? `${CSI}${back}D` : ''}`);
  }
}

/** The escape sequence starting at `i`, or '' when the character there is not ESC. */
function escapeAt(data: string, i: number): string {
  if (data[i] !== '\x1b') return '';
  const m = /^\x1b(\[[0-9;]*[~A-Za-z]|O[A-Za-z])/.exec(data.slice(i, i + 12));
  return m ? m[0] : '\x1b';
}

function commonPrefix(words: string[]): string {
  let prefix = words[0] ?? '';
  for (const w of words) while (!w.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
