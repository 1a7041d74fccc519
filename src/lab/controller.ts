/**
 * The lab controller: the state of one lab (steps and their results, progress, files and whether
 * they are saved, the runtime and its status, the preview) and the intents that change it. It
 * talks to a `LabRuntime` and knows nothing of the DOM; the panels in `ui/` render its state and
 * call its methods. Adding a runtime touches `LabRuntime` implementations and the runtime choice,
 * never this file's callers.
 */
import type { LabClientData } from '../shared/lab-schema.ts';
import { lastLines } from '../shared/check-output.ts';
import { clearSnapshot, defaultStore, loadSnapshot, saveSnapshot, takeSnapshot, isLabInternal, type KeyValueStore } from './learner-files.ts';
import { probeWebContainer, type RuntimePlan } from './runtime-choice.ts';
import { Emitter, isBackground, RUNTIME_NAMES, type BootProgress, type LabRuntime, type LabShell, type RuntimeKind, type ServerEvent } from './runtime.ts';
import { applySolution, runCheck, type SolutionFiles } from './solve.ts';
import { silentEvents, type LabEvents } from './ui/events.ts';
import { clearProgress, loadProgress, saveProgress, type LabProgress } from './ui/progress.ts';

export type Phase = 'idle' | 'starting' | 'ready' | 'recorded' | 'ended';
export type Step = LabClientData['steps'][number];

export interface StepResult {
  state: 'idle' | 'checking' | 'solving' | 'passed' | 'failed';
  /** The step's own message (failed) or the check's last line (passed). */
  message: string;
  /** The last lines of the check's output, ANSI stripped (shown as text, sent with "I'm stuck"). */
  output: string;
}

export interface EditorFile {
  path: string;
  /** What the editor holds. */
  text: string;
  /** What the runtime holds (the last save). */
  saved: string;
  saving: boolean;
  error: string;
}

export interface LabState {
  phase: Phase;
  runtime: RuntimeKind | null;
  boot: BootProgress | null;
  /** Why a runtime was skipped, or why output is recorded; '' when nothing to say. */
  notice: string;
  progress: LabProgress;
  results: Record<string, StepResult>;
  files: string[];
  open: EditorFile | null;
  preview: ServerEvent | null;
}

/** What changed, so panels re-render only their part. */
export type Change = 'phase' | 'boot' | 'progress' | 'result' | 'files' | 'open' | 'preview';

export interface ControllerDeps {
  makeRuntime(kind: RuntimeKind): Promise<LabRuntime>;
  probeWebContainer?: () => Promise<string>;
  fetchJson?: (url: string) => Promise<unknown>;
  storage?: KeyValueStore | null;
  events?: LabEvents;
  /** Delay after the last keystroke before an edit is saved into the runtime. */
  autosaveMs?: number;
}

export const AUTOSAVE_MS = 800;

export class LabController {
  readonly data: LabClientData;
  readonly state: LabState;
  runtime: LabRuntime | null = null;
  events: LabEvents;
  private deps: ControllerDeps;
  private changes = new Emitter<Change>();
  private announcements = new Emitter<string>();
  private terminalNotes = new Emitter<string>();
  private terminalInput = new Emitter<string>();
  private autosave: ReturnType<typeof setTimeout> | undefined;
  private startedSteps = new Set<string>();
  /** Bumped by Reset: a snapshot taken before it must not be saved after it. */
  private generation = 0;
  private solutionFiles: Promise<SolutionFiles> | null = null;
  private starterFiles: Promise<SolutionFiles> | null = null;

  constructor(data: LabClientData, deps: ControllerDeps) {
    this.data = data;
    this.deps = deps;
    this.events = deps.events ?? silentEvents;
    const results: Record<string, StepResult> = {};
    for (const s of data.steps) results[s.id] = { state: 'idle', message: '', output: '' };
    this.state = { phase: 'idle', runtime: null, boot: null, notice: '', progress: loadProgress(data.id), results, files: [], open: null, preview: null };
  }

  onChange(listener: (change: Change) => void): () => void {
    return this.changes.on(listener);
  }
  /** Text for the live region. */
  onAnnounce(listener: (text: string) => void): () => void {
    return this.announcements.on(listener);
  }
  /** Notes for the terminal (e.g. the commands a solution runs). */
  onTerminalNote(listener: (text: string) => void): () => void {
    return this.terminalNotes.on(listener);
  }

  /** Commands typed into the terminal on the learner's behalf ("Run it in the terminal"). */
  onTerminalInput(listener: (command: string) => void): () => void {
    return this.terminalInput.on(listener);
  }
  runInTerminal(stepId: string, command: string): void {
    this.stepStarted(stepId);
    this.terminalInput.emit(command);
    this.announce(`Ran ${command} in the terminal.`);
  }

  private set<K extends keyof LabState>(key: K, value: LabState[K], change: Change) {
    this.state[key] = value;
    this.changes.emit(change);
  }
  announce(text: string): void {
    this.announcements.emit(text);
  }
  step(id: string): Step {
    const step = this.data.steps.find((s) => s.id === id);
    if (!step) throw new Error(`no step ${id} in lab ${this.data.id}`);
    return step;
  }
  private get rt(): LabRuntime {
    if (!this.runtime) throw new Error('the lab is not started');
    return this.runtime;
  }

  // ── Start ────────────────────────────────────────────────────────────────────────────────

  /**
   * Boots the first runtime of the plan that starts. `onBooting` is called once a boot request is
   * on its way (the caller loads the terminal's code meanwhile). Returns false when none started:
   * the lab is in recorded mode with the reason in `state.notice`.
   */
  async start(plan: RuntimePlan, onBooting: () => void = () => {}): Promise<boolean> {
    this.set('phase', 'starting', 'phase');
    this.announce('Starting the lab…');
    const notices: string[] = plan.notice ? [plan.notice] : [];
    if (plan.recorded) return this.recorded('Recorded mode was asked for.', onBooting);
    for (const kind of plan.tries) {
      if (kind === 'webcontainer') {
        this.setBoot({ message: 'Checking whether a WebContainer can run here…' });
        const why = await (this.deps.probeWebContainer ?? probeWebContainer)();
        if (why) {
          notices.push(`${why} Starting the next runtime instead.`);
          this.set('notice', notices.join(' '), 'boot');
          this.announce(`WebContainer unavailable: ${why}`);
          continue;
        }
      }
      let runtime: LabRuntime;
      try {
        runtime = await this.deps.makeRuntime(kind);
      } catch (error) {
        notices.push(`${RUNTIME_NAMES[kind]} could not start: ${(error as Error).message}.`);
        continue;
      }
      try {
        const booted = runtime.boot((p) => this.setBoot(p));
        onBooting();
        await booted;
        this.runtime = runtime;
        break;
      } catch (error) {
        notices.push(`${RUNTIME_NAMES[kind]} could not start: ${(error as Error).message}.`);
        await runtime.teardown().catch(() => {});
      }
    }
    if (!this.runtime) return this.recorded(`No live runtime is available (${notices.join(' ')})`, onBooting);
    this.set('notice', notices.join(' '), 'boot');
    this.runtime.onServer((e) => this.onServer(e));
    this.runtime.onClose((reason) => {
      this.set('phase', 'ended', 'phase');
      this.announce(`The lab session ended: ${reason}. Press Reset lab to start a new one.`);
    });
    return true;
  }

  private setBoot(p: BootProgress | null) {
    this.set('boot', p, 'boot');
  }

  private recorded(reason: string, onBooting: () => void): false {
    onBooting();
    this.state.notice = `${reason} Showing the output recorded when this lab last passed its checks.`;
    this.set('phase', 'recorded', 'phase');
    this.announce('The lab is showing recorded output: no live runtime is available.');
    return false;
  }

  // ── Recorded mode: a walkthrough without a runtime ───────────────────────────────────────

  /** The step the learner is reading in recorded mode: where they left it, else the first not done. */
  readingStep(): string {
    const { readingStep, done } = this.state.progress;
    if (readingStep && this.data.steps.some((s) => s.id === readingStep)) return readingStep;
    return (this.data.steps.find((s) => !done.includes(s.id)) ?? this.data.steps[0]!).id;
  }

  /**
   * Once the recorded output shows: the lab started on the 'recorded' runtime, on the step the
   * learner is reading. A workshop board shows both, as for a live runtime.
   */
  readyRecorded(): void {
    const progress = this.state.progress;
    if (!progress.startedAt) {
      progress.startedAt = Date.now();
      saveProgress(this.data.id, progress);
    }
    this.events.started({ runtime: 'recorded', resumed: progress.done.length > 0 || progress.readingStep !== undefined });
    this.stepStarted(this.readingStep());
  }

  /** Recorded mode: the learner moves on to step `id` (it is kept, and reported once per page like a live step). */
  readStep(id: string): void {
    const step = this.step(id);
    const progress = loadProgress(this.data.id);
    progress.readingStep = id;
    saveProgress(this.data.id, progress);
    this.set('progress', progress, 'progress');
    this.stepStarted(id);
    this.announce(`Step ${this.data.steps.indexOf(step) + 1}: ${step.title}.`);
  }

  /** After the panels are up: restores the learner's files and progress, then the lab is ready. */
  async ready(): Promise<void> {
    const progress = this.state.progress;
    if (!progress.startedAt) {
      progress.startedAt = Date.now();
      saveProgress(this.data.id, progress);
    }
    this.events.started({ runtime: this.rt.kind, resumed: progress.done.length > 0 });
    const restored = await this.restore();
    await this.refreshFiles();
    this.state.runtime = this.rt.kind;
    this.set('phase', 'ready', 'phase');
    const done = this.data.steps.filter((s) => progress.done.includes(s.id)).length;
    this.announce(restored || done ? `Lab ready. Your work is restored (${done} of ${this.data.steps.length} steps done).` : 'Lab ready. The terminal is live.');
    const first = this.data.steps.find((s) => !progress.done.includes(s.id));
    if (first) this.stepStarted(first.id);
  }

  openShell(size: { cols: number; rows: number }, onOutput: (data: string) => void): Promise<LabShell> {
    return this.rt.shell(size, onOutput);
  }

  stepStarted(id: string): void {
    if (this.startedSteps.has(id)) return;
    this.startedSteps.add(id);
    this.events.stepStarted(id);
  }

  // ── Checks and solutions ─────────────────────────────────────────────────────────────────

  private setResult(id: string, result: StepResult) {
    this.state.results = { ...this.state.results, [id]: result };
    this.changes.emit('result');
  }

  private markDone(id: string, solved: boolean) {
    const p = loadProgress(this.data.id);
    if (!p.done.includes(id)) p.done.push(id);
    if (solved && !p.solved.includes(id)) p.solved.push(id);
    saveProgress(this.data.id, p);
    this.set('progress', p, 'progress');
  }

  /** Saves the open file, runs the step's check and records the result. Returns whether it passed. */
  async check(id: string, solved = false): Promise<boolean> {
    const step = this.step(id);
    this.stepStarted(id);
    await this.save();
    this.setResult(id, { state: 'checking', message: '', output: '' });
    this.announce(`Checking step ${step.title}…`);
    const r = await runCheck(this.rt, step);
    const output = lastLines(r.output);
    if (r.exitCode === 0) {
      const already = this.state.progress.done.includes(id);
      this.setResult(id, { state: 'passed', message: `Done. ${output.split('\n').pop() ?? ''}`.trim(), output });
      this.markDone(id, solved);
      this.events.checkPassed(id);
      if (id === 'call') this.events.endpointLive(id);
      this.announcePass(step, already);
    } else {
      const message = r.timedOut ? `The check took longer than ${step.check.timeout} s. ${step.check.message}` : step.check.message;
      this.setResult(id, { state: 'failed', message, output });
      this.events.checkFailed(id, { exitCode: r.exitCode });
      this.announce(`Not yet: ${message}`);
    }
    void this.persist();
    return r.exitCode === 0;
  }

  private announcePass(step: Step, already: boolean) {
    const done = this.state.progress.done;
    const i = this.data.steps.indexOf(step);
    const next = this.data.steps.slice(i + 1).find((s) => !done.includes(s.id));
    if (next) {
      this.announce(`Step ${step.title} passed. Next: ${next.title}.`);
      this.stepStarted(next.id);
    } else if (done.length === this.data.steps.length) {
      this.announce(`Step ${step.title} passed. You finished the lab.`);
      if (!already) this.events.completed({ runtime: this.rt.kind });
    } else this.announce(`Step ${step.title} passed.`);
  }

  solution(): Promise<SolutionFiles> {
    return (this.solutionFiles ??= this.fetchJson(`/labs/${this.data.id}/solution.json`) as Promise<SolutionFiles>);
  }
  private starter(): Promise<SolutionFiles> {
    return (this.starterFiles ??= this.fetchJson(`/labs/${this.data.id}/starter.json`) as Promise<SolutionFiles>);
  }
  private async fetchJson(url: string): Promise<unknown> {
    if (this.deps.fetchJson) return this.deps.fetchJson(url);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    return res.json();
  }

  /**
   * What "Solve this step" would write, next to what the learner has now: the open editor's text,
   * else the runtime's file, else (before Start) the starter file; null where the file is new.
   */
  async solutionPreview(id: string): Promise<{ path: string; current: string | null; solution: string }[]> {
    const step = this.step(id);
    if (!step.solution.files.length) return [];
    const [solution, starter] = await Promise.all([this.solution(), this.runtime ? Promise.resolve({} as SolutionFiles) : this.starter().catch(() => ({}) as SolutionFiles)]);
    const text = (node: SolutionFiles[string] | undefined) => (node && 'contents' in node ? node.contents : null);
    const out = [];
    for (const path of step.solution.files) {
      let current: string | null;
      if (this.state.open?.path === path) current = this.state.open.text;
      else if (this.runtime) current = await this.rt.readFile(path).then((b) => new TextDecoder().decode(b), () => null);
      else current = text(starter[path]);
      out.push({ path, current, solution: text(solution[path]) ?? '(binary file)' });
    }
    return out;
  }

  /** Applies the step's solution (files and commands), then checks it. */
  async solve(id: string): Promise<boolean> {
    const step = this.step(id);
    this.events.solutionRevealed(id, { applied: true });
    this.setResult(id, { state: 'solving', message: '', output: '' });
    this.announce(`Applying the solution of ${step.title}…`);
    await this.applyStepSolution(step, false);
    return this.check(id, true);
  }

  private async applyStepSolution(step: Step, quiet: boolean, commands: 'all' | 'background' = 'all') {
    const files = await this.solution();
    const applied = commands === 'all' ? step : { ...step, solution: { files: [], run: step.solution.run.filter(isBackground) } };
    const runs = await applySolution(this.rt, applied, files, (command) => {
      if (!quiet) this.terminalNotes.emit(`\r\n\x1b[2m# solution: ${command}\x1b[0m\r\n`);
    });
    if (!quiet) for (const r of runs) if (r.result.output) this.terminalNotes.emit(r.result.output.replace(/\r?\n/g, '\r\n'));
    if (this.state.open && applied.solution.files.includes(this.state.open.path)) await this.openFile(this.state.open.path, true);
  }

  // ── Files ────────────────────────────────────────────────────────────────────────────────

  async refreshFiles(): Promise<void> {
    const files = (await this.rt.listFiles()).filter((f) => !isLabInternal(f)).sort();
    this.set('files', files, 'files');
  }

  /** Opens a file in the editor (saving the one open first). */
  async openFile(path: string, force = false): Promise<void> {
    if (!force && this.state.open?.path === path) return;
    if (this.state.open?.path !== path) await this.save();
    const text = new TextDecoder().decode(await this.rt.readFile(path));
    this.set('open', { path, text, saved: text, saving: false, error: '' }, 'open');
  }

  /** The editor's text changed: unsaved until the autosave (or Ctrl/Cmd-S, or Check) writes it. */
  edit(text: string): void {
    const open = this.state.open;
    if (!open || open.text === text) return;
    this.set('open', { ...open, text }, 'open');
    clearTimeout(this.autosave);
    this.autosave = setTimeout(() => void this.save(), this.deps.autosaveMs ?? AUTOSAVE_MS);
  }

  isDirty(): boolean {
    const open = this.state.open;
    return !!open && open.text !== open.saved;
  }

  /** Writes the open file into the runtime now. */
  async save(): Promise<void> {
    clearTimeout(this.autosave);
    const open = this.state.open;
    if (!open || !this.runtime || open.text === open.saved) return;
    const text = open.text;
    this.set('open', { ...open, saving: true }, 'open');
    try {
      await this.runtime.writeFile(open.path, text);
      const now = this.state.open;
      if (now?.path === open.path) this.set('open', { ...now, saved: text, saving: false, error: '' }, 'open');
      void this.persist();
    } catch (error) {
      const now = this.state.open;
      if (now?.path === open.path) this.set('open', { ...now, saving: false, error: `Not saved: ${(error as Error).message}` }, 'open');
      this.announce(`${open.path} could not be saved: ${(error as Error).message}`);
    }
  }

  // ── Keeping the learner's work ───────────────────────────────────────────────────────────

  /** Copies the learner's files into the browser (after saves, checks and terminal commands). */
  async persist(): Promise<void> {
    if (!this.runtime || this.state.phase === 'ended') return;
    const generation = this.generation;
    try {
      const snapshot = await takeSnapshot(this.runtime);
      if (generation === this.generation) saveSnapshot(this.data.id, snapshot, this.storage());
    } catch {
      /* the session ended meanwhile: the last snapshot stays */
    }
  }

  private storage(): KeyValueStore | null {
    return this.deps.storage === undefined ? defaultStore() : this.deps.storage;
  }

  /**
   * After a reload: replays the solutions of steps solved with Solve, restarts the servers of steps
   * done by hand (processes cannot be kept), then puts back the learner's own files, which win.
   */
  async restore(): Promise<boolean> {
    const { done, solved } = this.state.progress;
    const snapshot = loadSnapshot(this.data.id, this.storage());
    const steps = this.data.steps.filter((s) => done.includes(s.id));
    if (!steps.length && !snapshot) return false;
    this.announce('Restoring your work…');
    for (const s of steps) await this.applyStepSolution(s, true, solved.includes(s.id) ? 'all' : 'background');
    if (snapshot && Object.keys(snapshot).length) {
      const tree: Record<string, { file: { contents: string } }> = {};
      for (const [path, contents] of Object.entries(snapshot)) tree[path] = { file: { contents } };
      await this.rt.mount(tree);
    }
    return true;
  }

  /** What Reset would discard, in words. */
  resetSummary(): string {
    const snapshot = loadSnapshot(this.data.id, this.storage()) ?? {};
    const edited = Object.keys(snapshot).length;
    const done = this.state.progress.done.length;
    const parts = [`your progress (${done} of ${this.data.steps.length} steps done)`];
    if (edited || this.runtime) parts.push('every file you changed or created, which go back to the starter files');
    if (this.isDirty()) parts.push(`unsaved edits to ${this.state.open!.path}`);
    return `Reset discards ${parts.join(', ')}, and stops anything running in the lab.`;
  }

  /** Discards progress and files; the caller starts a fresh session. */
  async reset(): Promise<void> {
    clearTimeout(this.autosave);
    this.generation++;
    this.announce('Resetting the lab to its starter files…');
    this.events.reset();
    clearProgress(this.data.id);
    clearSnapshot(this.data.id, this.storage());
    this.state.progress = loadProgress(this.data.id);
    for (const s of this.data.steps) this.state.results[s.id] = { state: 'idle', message: '', output: '' };
    this.changes.emit('progress');
    this.changes.emit('result');
    await this.runtime?.teardown().catch(() => {});
    this.runtime = null;
  }

  // ── Preview ──────────────────────────────────────────────────────────────────────────────

  private onServer(e: ServerEvent) {
    if (e.type === 'open') {
      this.set('preview', e, 'preview');
      this.announce(`A server started on port ${e.port}; the preview shows it.`);
    } else if (this.state.preview?.port === e.port) this.announce(`The server on port ${e.port} stopped.`);
  }

  showPreview(url: string): void {
    const port = this.state.preview?.port ?? 0;
    this.set('preview', { port, type: 'open', url }, 'preview');
  }
}
