/**
 * The lab workspace, loaded when the learner presses Start: picks a runtime (WebContainer where
 * the page is cross-origin isolated and StackBlitz answers, else the lab runner, else recorded
 * output), then wires the terminal (xterm.js, DOM renderer), the files and editor (CodeMirror 6),
 * the preview, and the steps' buttons. `?runtime=webcontainer|runner|recorded` overrides, and a site
 * can fix its choice at build time with PUBLIC_ONRAMP_LAB_RUNTIME (e.g. `runner` behind a firewall).
 */
import type { LabClientData, LabRecording } from '../../shared/lab-schema.ts';
import type { LabRuntime, LabShell, ServerEvent } from '../runtime.ts';
import { applySolution, runCheck, type SolutionFiles } from '../solve.ts';
import { loadLabEvents, mountStuck, type LabEvents, type StuckHandle } from './events.ts';
import type { OnrampLab } from './lab-element.ts';
import { clearProgress, loadProgress, saveProgress } from './progress.ts';

type Choice = 'webcontainer' | 'runner' | 'recorded';

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

async function webContainerReachable(): Promise<boolean> {
  if (!globalThis.crossOriginIsolated) return false;
  try {
    await fetch('https://stackblitz.com/headless', { mode: 'no-cors', signal: AbortSignal.timeout(3000) });
    return true;
  } catch {
    return false;
  }
}

async function makeRuntime(choice: Exclude<Choice, 'recorded'>, data: LabClientData, size: { cols: number; rows: number }): Promise<LabRuntime> {
  if (choice === 'webcontainer') {
    const { WebContainerRuntime } = await import('../webcontainer.ts');
    return new WebContainerRuntime({ treeUrl: data.treeUrl });
  }
  const { RunnerRuntime } = await import('../runner-client.ts');
  return new RunnerRuntime({ lab: data.id, cols: size.cols, rows: size.rows });
}

const CHOICES: readonly string[] = ['webcontainer', 'runner', 'recorded'];

/** The runtime the site was built to use (`PUBLIC_ONRAMP_LAB_RUNTIME`), or null for automatic. */
export function siteRuntime(): Choice | null {
  const configured = import.meta.env.PUBLIC_ONRAMP_LAB_RUNTIME as string | undefined;
  return configured && CHOICES.includes(configured) ? (configured as Choice) : null;
}

/** Starts fetching the terminal and runner code (called when the learner shows intent to start). */
export function prefetch(): void {
  void import('@xterm/xterm').catch(() => {});
  void import('@xterm/addon-fit').catch(() => {});
  void import('../runner-client.ts').catch(() => {});
}

export async function startWorkspace(lab: OnrampLab): Promise<void> {
  const data = lab.data;
  const eventsLoading = loadLabEvents(data.id);
  // `?runtime=` wins; otherwise the site's build-time choice (PUBLIC_ONRAMP_LAB_RUNTIME), else automatic.
  const param = (new URLSearchParams(location.search).get('runtime') ?? siteRuntime()) as Choice | null;
  const bootBox = lab.querySelector<HTMLElement>('[data-boot]')!;
  const bootBar = lab.querySelector<HTMLProgressElement>('[data-boot-progress]')!;
  const bootMsg = lab.querySelector<HTMLElement>('[data-boot-message]')!;
  const runtimeLabel = lab.querySelector<HTMLElement>('[data-runtime-label]')!;
  const startButton = lab.querySelector<HTMLButtonElement>('[data-action="start"]')!;
  const progress = (message: string, fraction?: number) => {
    bootBox.hidden = false;
    bootMsg.textContent = message;
    if (fraction === undefined) bootBar.removeAttribute('value');
    else bootBar.value = fraction;
  };
  lab.addEventListener('lab-hint', (e) => void eventsLoading.then((ev) => ev.hintViewed((e as CustomEvent).detail.step)));
  lab.addEventListener('lab-solution', (e) => void eventsLoading.then((ev) => ev.solutionRevealed((e as CustomEvent).detail.step)));

  // The terminal's code is heavy to evaluate: start it once the runtime has sent its boot request,
  // so the server prepares the session while the browser compiles xterm.
  let loadTerminal!: () => void;
  const terminalModules = new Promise<void>((resolve) => (loadTerminal = resolve))
    .then(() => Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit'), import('@xterm/xterm/css/xterm.css?url')]))
    .then(([xterm, fitAddon, css]) => {
      if (!document.querySelector('link[data-xterm-css]')) document.head.append(h('link', { rel: 'stylesheet', href: css.default, 'data-xterm-css': '' }));
      return [xterm, fitAddon] as const;
    });

  const workspace = lab.querySelector<HTMLElement>('[data-workspace]')!;
  const termBox = h('div', { class: 'onramp-lab__terminal', 'data-terminal': '' });
  const fileList = h('ul', { class: 'onramp-lab__files', 'aria-label': 'Lab files' });
  const editorTitle = h('p', { class: 'onramp-lab__editor-title', 'data-editor-title': '' }, 'Choose a file to edit it.');
  const editorBox = h('div', { class: 'onramp-lab__editor', 'data-editor': '' });
  const saveButton = h('button', { type: 'button', 'data-action': 'save' }, 'Save file');
  saveButton.disabled = true;
  const refreshButton = h('button', { type: 'button', 'data-action': 'refresh-files' }, 'Refresh files');
  const previewSection = h('section', { class: 'onramp-lab__preview', 'aria-labelledby': `lab-${data.id}-preview-h` });
  previewSection.hidden = true;
  const address = h('input', { type: 'text', 'aria-label': 'Preview address', 'data-preview-address': '' });
  const goButton = h('button', { type: 'button' }, 'Go');
  const newTab = h('a', { target: '_blank', rel: 'noopener', 'data-preview-open': '' }, 'Open in a new tab');
  const frame = h('iframe', { title: 'Preview of the server the lab started', 'data-preview': '' });
  previewSection.append(h('h3', { id: `lab-${data.id}-preview-h` }, 'Preview'), h('div', { class: 'onramp-lab__address' }, address, goButton, newTab), frame);
  workspace.replaceChildren(
    h('section', { class: 'onramp-lab__term-section', 'aria-labelledby': `lab-${data.id}-term-h` }, h('h3', { id: `lab-${data.id}-term-h` }, 'Terminal'), h('p', { class: 'onramp-lab__hint', id: `lab-${data.id}-term-help` }, 'Tab completes in the shell; press Esc then Tab to leave the terminal.'), termBox),
    h(
      'section',
      { class: 'onramp-lab__files-section', 'aria-labelledby': `lab-${data.id}-files-h` },
      h('h3', { id: `lab-${data.id}-files-h` }, 'Files'),
      h('div', { class: 'onramp-lab__files-grid' }, h('div', {}, fileList, refreshButton), h('div', {}, editorTitle, editorBox, saveButton)),
    ),
    previewSection,
  );

  async function recorded(reason: string) {
    runtimeLabel.textContent = 'Recorded output';
    progress(`${reason} Showing the output recorded when this lab last passed its checks.`, 1);
    bootBar.hidden = true;
    workspace.hidden = true;
    startButton.hidden = true;
    let rec: LabRecording | null = null;
    try {
      const res = await fetch(data.recordedUrl);
      if (res.ok) rec = (await res.json()) as LabRecording;
    } catch {
      /* offline */
    }
    for (const s of data.steps) {
      const box = lab.step(s.id).querySelector<HTMLElement>('[data-recorded]')!;
      const step = rec?.steps.find((r) => r.id === s.id);
      box.hidden = false;
      if (!step) {
        box.replaceChildren(h('p', {}, 'No recorded output for this step.'));
        continue;
      }
      const lines = [...step.commands.map((c) => `$ ${c.command}\n${c.output}`), `$ ${step.check.command}\n${step.check.output}`].join('\n');
      box.replaceChildren(
        h('p', { class: 'onramp-lab__recorded-label' }, h('strong', {}, 'Recorded output'), ` (not live; recorded ${rec!.recordedAt.slice(0, 10)} when the solution passed the checks)`),
        h('pre', { tabindex: '0', 'aria-label': `Recorded output of step ${s.title}` }, lines),
      );
    }
    lab.announce('The lab is showing recorded output: no live runtime is available.');
  }

  if (param === 'recorded') return recorded('Recorded mode was asked for.');

  // The runtime boots while the terminal's code loads; the shell is resized to the real size after.
  workspace.hidden = false;
  const box = termBox.getBoundingClientRect();
  const guess = { cols: Math.max(40, Math.floor((box.width - 8) / 8.4)) || 80, rows: Math.max(10, Math.floor((box.height - 8) / 17)) || 24 };
  const booting = (async () => {
    const tries: Exclude<Choice, 'recorded'>[] = param === 'webcontainer' || param === 'runner' ? [param] : (await webContainerReachable()) ? ['webcontainer', 'runner'] : ['runner'];
    let lastError = '';
    for (const choice of tries) {
      const candidate = await makeRuntime(choice, data, guess);
      try {
        const booted = candidate.boot((p) => progress(p.message, p.fraction));
        loadTerminal();
        await booted;
        return { runtime: candidate, error: '' };
      } catch (error) {
        lastError = (error as Error).message;
        await candidate.teardown().catch(() => {});
      }
    }
    loadTerminal();
    return { runtime: null, error: lastError };
  })();
  const events: LabEvents = await eventsLoading;
  const [{ Terminal }, { FitAddon }] = await terminalModules;
  const term = new Terminal({ convertEol: false, cursorBlink: true, fontSize: 14, scrollback: 5000, screenReaderMode: false, theme: { background: '#111418' } });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(termBox);
  // No keyboard trap: Tab goes to the shell (completion), but Esc then Tab leaves the terminal.
  let escaped = false;
  term.attachCustomKeyEventHandler((e) => {
    if (e.type !== 'keydown') return true;
    if (e.key === 'Tab' && escaped) {
      escaped = false;
      return false;
    }
    escaped = e.key === 'Escape';
    return true;
  });
  try {
    fit.fit();
  } catch {
    /* hidden */
  }
  const size = { cols: term.cols || 80, rows: term.rows || 24 };
  const { runtime, error: lastError } = await booting;
  if (!runtime) {
    term.dispose();
    return recorded(`No live runtime is available (${lastError}).`);
  }
  const rt: LabRuntime = runtime;
  const stuck = await mountStuck(
    data.id,
    rt.kind,
    data.steps.map((s) => ({ el: lab.step(s.id).querySelector<HTMLElement>('[data-stuck]')!, step: s.id })),
  ).catch(() => new Map<string, StuckHandle>());
  runtimeLabel.textContent = rt.kind === 'webcontainer' ? 'Running in your browser (WebContainer)' : 'Running on the Onramp lab runner';
  bootBox.hidden = true;
  startButton.hidden = true;
  const resetButton = lab.querySelector<HTMLButtonElement>('[data-action="reset"]')!;
  resetButton.hidden = false;

  const shell: LabShell = await rt.shell(size, (d) => term.write(d));
  term.onData((d) => shell.write(d));
  term.onResize(({ cols, rows }) => shell.resize(cols, rows));
  new ResizeObserver(() => {
    try {
      fit.fit();
    } catch {
      /* detached */
    }
  }).observe(termBox);
  rt.onClose((reason) => lab.announce(`The lab session ended: ${reason}. Press Reset lab to start a new one.`));

  // Solution files, fetched once.
  let solutionFiles: SolutionFiles | null = null;
  const solution = async () => (solutionFiles ??= (await (await fetch(`/labs/${data.id}/solution.json`)).json()) as SolutionFiles);

  // Preview.
  const showPreview = (url: string) => {
    previewSection.hidden = false;
    address.value = url;
    newTab.href = url;
    frame.src = url;
  };
  goButton.addEventListener('click', () => showPreview(address.value));
  address.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') showPreview(address.value);
  });
  rt.onServer((e: ServerEvent) => {
    if (e.type === 'open') {
      showPreview(e.url);
      lab.announce(`A server started on port ${e.port}; the preview shows it.`);
    } else if (frame.src && address.value === e.url) lab.announce(`The server on port ${e.port} stopped.`);
  });

  // Files and editor.
  const [{ EditorView, basicSetup }, langJson, langYaml, langJs] = await Promise.all([
    import('codemirror'),
    import('@codemirror/lang-json'),
    import('@codemirror/lang-yaml'),
    import('@codemirror/lang-javascript'),
  ]);
  let view: InstanceType<typeof EditorView> | null = null;
  let openPath = '';
  const languageFor = (path: string) =>
    path.endsWith('.json') ? [langJson.json()] : /\.ya?ml$/.test(path) ? [langYaml.yaml()] : /\.[mc]?js$/.test(path) ? [langJs.javascript()] : [];
  async function openFile(path: string) {
    const bytes = await rt.readFile(path);
    const text = new TextDecoder().decode(bytes);
    openPath = path;
    view?.destroy();
    view = new EditorView({
      doc: text,
      extensions: [basicSetup, ...languageFor(path), EditorView.contentAttributes.of({ 'aria-label': `Editing ${path}` })],
      parent: editorBox,
    });
    editorTitle.textContent = `Editing ${path}`;
    saveButton.disabled = false;
  }
  saveButton.addEventListener('click', async () => {
    if (!view || !openPath) return;
    await rt.writeFile(openPath, view.state.doc.toString());
    lab.announce(`Saved ${openPath}`);
  });
  async function refreshFiles() {
    const files = (await rt.listFiles()).filter((f) => !f.startsWith('.lab/') && !f.startsWith('bin/'));
    fileList.replaceChildren(
      ...files.map((f) => {
        const b = h('button', { type: 'button', 'data-file': f }, f);
        if (/\.(pkl|joblib|gz)$/.test(f)) b.disabled = true;
        b.addEventListener('click', () => void openFile(f));
        return h('li', {}, b);
      }),
    );
  }
  refreshButton.addEventListener('click', () => void refreshFiles());
  await refreshFiles();

  // Steps.
  const stepButtons = lab.querySelectorAll<HTMLButtonElement>('[data-action="try"], [data-action="check"], [data-action="solve"]');
  for (const b of stepButtons) b.disabled = false;
  const store = () => loadProgress(data.id);
  const markDone = (stepId: string) => {
    const p = store();
    if (!p.done.includes(stepId)) p.done.push(stepId);
    saveProgress(data.id, p);
    lab.renderProgress();
  };
  const result = (stepEl: HTMLElement, ok: boolean, text: string) => {
    const r = stepEl.querySelector<HTMLElement>('[data-result]')!;
    r.hidden = false;
    r.className = `onramp-lab__result ${ok ? 'is-pass' : 'is-fail'}`;
    r.textContent = text;
  };
  const next = (stepId: string) => {
    const i = data.steps.findIndex((s) => s.id === stepId);
    const done = store().done;
    return data.steps.slice(i + 1).find((s) => !done.includes(s.id));
  };
  let live = false;
  const started = new Set<string>();
  const stepStarted = (id: string) => {
    if (!started.has(id)) {
      started.add(id);
      events.stepStarted(id);
    }
  };

  async function check(stepId: string, button?: HTMLButtonElement) {
    const step = data.steps.find((s) => s.id === stepId)!;
    const stepEl = lab.step(stepId);
    stepStarted(stepId);
    if (button) button.disabled = true;
    lab.announce(`Checking step ${step.title}…`);
    const r = await runCheck(rt, step).finally(() => button && (button.disabled = false));
    if (r.exitCode === 0) {
      result(stepEl, true, `Done. ${r.output.trim().split('\n').pop() ?? ''}`.trim());
      const already = store().done.includes(stepId);
      markDone(stepId);
      events.checkPassed(stepId);
      stuck.get(stepId)?.update({ lastCheck: 'passed' });
      if (!live && stepId === 'call') {
        live = true;
        events.endpointLive(stepId);
      }
      const n = next(stepId);
      if (n) {
        lab.announce(`Step ${step.title} passed. Next: ${n.title}.`);
        lab.step(n.id).querySelector<HTMLElement>('h2, h3, h4')?.focus();
        stepStarted(n.id);
      } else if (store().done.length === data.steps.length) {
        lab.announce(`Step ${step.title} passed. You finished the lab.`);
        if (!already) events.completed({ runtime: rt.kind });
      } else lab.announce(`Step ${step.title} passed.`);
    } else {
      result(stepEl, false, r.timedOut ? `The check took longer than ${step.check.timeout} s. ${step.check.message}` : step.check.message);
      events.checkFailed(stepId, { exitCode: r.exitCode });
      stuck.get(stepId)?.update({ lastCheck: 'failed' });
      lab.announce(`Not yet: ${step.check.message}`);
    }
  }

  async function solve(stepId: string, quiet = false) {
    const step = data.steps.find((s) => s.id === stepId)!;
    if (!quiet) events.solutionRevealed(stepId, { applied: true });
    const runs = await applySolution(rt, step, await solution(), (command) => {
      if (!quiet) term.write(`\r\n\x1b[2m# solution: ${command}\x1b[0m\r\n`);
    });
    if (!quiet) for (const r of runs) if (r.result.output) term.write(r.result.output.replace(/\r?\n/g, '\r\n'));
    if (!quiet) shell.write('\r');
    if (step.solution.files.includes(openPath)) await openFile(openPath);
    await refreshFiles();
  }

  lab.addEventListener('click', async (e) => {
    const button = (e.target as Element).closest<HTMLButtonElement>('button[data-action]');
    const stepEl = button?.closest<HTMLElement>('[data-step]');
    if (!button || !stepEl) return;
    const stepId = stepEl.dataset.step!;
    const step = data.steps.find((s) => s.id === stepId)!;
    switch (button.dataset.action) {
      case 'try':
        stepStarted(stepId);
        shell.write(step.try! + '\r');
        term.focus();
        lab.announce(`Ran ${step.try} in the terminal.`);
        break;
      case 'check':
        await check(stepId, button);
        break;
      case 'solve':
        button.disabled = true;
        lab.announce(`Applying the solution of ${step.title}…`);
        await solve(stepId).finally(() => (button.disabled = false));
        await check(stepId);
        break;
    }
  });

  resetButton.addEventListener('click', async () => {
    resetButton.disabled = true;
    lab.announce('Resetting the lab to its starter files…');
    events.reset();
    clearProgress(data.id);
    lab.renderProgress();
    for (const s of data.steps) {
      const el = lab.step(s.id);
      el.querySelector<HTMLElement>('[data-result]')!.hidden = true;
    }
    await rt.teardown().catch(() => {});
    term.dispose();
    view?.destroy();
    // A fresh session with the starter files: reload and start again.
    try {
      sessionStorage.setItem('onramp:lab-autostart', data.id);
    } catch {
      /* no storage: the learner presses Start */
    }
    location.reload();
  });

  // Resume: redo the steps done before the reload, so the lab's state matches the progress shown.
  const saved = loadProgress(data.id);
  if (!saved.startedAt) {
    saved.startedAt = Date.now();
    saveProgress(data.id, saved);
  }
  events.started({ runtime: rt.kind, resumed: saved.done.length > 0 });
  const toRestore = data.steps.filter((s) => saved.done.includes(s.id));
  if (toRestore.length) {
    lab.announce(`Restoring your progress: ${toRestore.length} steps done.`);
    for (const s of toRestore) await solve(s.id, true);
    lab.announce(`Lab ready. Your progress is restored (${toRestore.length} of ${data.steps.length} steps).`);
  } else lab.announce('Lab ready. The terminal is live.');
  const first = data.steps.find((s) => !saved.done.includes(s.id));
  if (first) stepStarted(first.id);
  term.focus();
  lab.dataset.ready = rt.kind;
}
