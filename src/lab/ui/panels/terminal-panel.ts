/**
 * `<onramp-lab-terminal>`: xterm.js (DOM renderer) attached to the runtime's shell. Tab goes to the
 * shell (completion); Esc then Tab leaves the terminal, so it is no keyboard trap. After a command,
 * the learner's files are copied into the browser once the shell has been quiet a moment.
 */
import type { Terminal } from '@xterm/xterm';
import type { FitAddon } from '@xterm/addon-fit';
import type { Change } from '../../controller.ts';
import type { LabShell } from '../../runtime.ts';
import { define, LabPanel } from './panel.ts';
import { labMark } from '../../timing.ts';

export type TerminalModules = readonly [typeof import('@xterm/xterm'), typeof import('@xterm/addon-fit')];

/** Quiet time after a command before the learner's files are copied into the browser. */
const PERSIST_AFTER_MS = 1500;

export class LabTerminalPanel extends LabPanel {
  term!: Terminal;
  private fitAddon!: FitAddon;
  private shell: LabShell | null = null;
  private persistTimer: ReturnType<typeof setTimeout> | undefined;

  /** Creates the terminal (before the runtime is up, so it can be sized). */
  create([xterm, fit]: TerminalModules): { cols: number; rows: number } {
    this.term = new xterm.Terminal({ convertEol: false, cursorBlink: true, fontSize: 14, scrollback: 5000, theme: { background: '#111418' } });
    this.fitAddon = new fit.FitAddon();
    this.term.loadAddon(this.fitAddon);
    this.term.open(this);
    const help = this.closest('[data-panel]')?.querySelector('.onramp-lab__hint')?.id;
    if (help) this.term.textarea?.setAttribute('aria-describedby', help);
    let escaped = false;
    this.term.attachCustomKeyEventHandler((e) => {
      if (e.type !== 'keydown') return true;
      if (e.key === 'Tab' && escaped) {
        escaped = false;
        return false;
      }
      escaped = e.key === 'Escape';
      return true;
    });
    this.fit();
    new ResizeObserver(() => this.fit()).observe(this);
    return { cols: this.term.cols || 80, rows: this.term.rows || 24 };
  }

  fit(): void {
    // A hidden panel (another tab on a phone) has no size: fit when it is shown.
    if (!this.offsetWidth || !this.offsetHeight) return;
    try {
      this.fitAddon.fit();
    } catch {
      /* detached */
    }
  }

  protected async setup(): Promise<void> {
    const c = this.controller;
    c.onTerminalNote((text) => this.term.write(text));
    c.onTerminalInput((command) => {
      this.shell?.write(command + '\r');
      this.term.focus();
    });
    let first = true;
    this.shell = await c.openShell({ cols: this.term.cols || 80, rows: this.term.rows || 24 }, (d) => {
      if (first) this.term.write(d, () => labMark('first-output'));
      else this.term.write(d);
      first = false;
    });
    this.term.onData((d) => {
      this.shell?.write(d);
      if (d.includes('\r')) this.schedulePersist();
    });
    this.term.onResize(({ cols, rows }) => this.shell?.resize(cols, rows));
  }

  private schedulePersist() {
    clearTimeout(this.persistTimer);
    this.persistTimer = setTimeout(() => {
      void this.controller.persist();
      void this.controller.refreshFiles().catch(() => {});
    }, PERSIST_AFTER_MS);
  }

  protected update(_change: Change): void {}

  focus(): void {
    this.term?.focus();
  }

  dispose(): void {
    clearTimeout(this.persistTimer);
    this.term?.dispose();
  }
}

define('onramp-lab-terminal', LabTerminalPanel);
