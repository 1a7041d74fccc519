/**
 * The lab workspace, loaded when the learner presses Start: makes the controller, chooses the
 * runtime (`runtime-choice.ts`), opens the workbench and binds the panels to the controller. The
 * panels render state and send intents; this file only wires them together.
 */
import type { LabRecording } from '../../shared/lab-schema.ts';
import { LabController } from '../controller.ts';
import { forLab, planRuntimes } from '../runtime-choice.ts';
import type { LabRuntime, RuntimeKind } from '../runtime.ts';
import { loadLabEvents } from './events.ts';
import { AUTOSTART_KEY, type OnrampLab } from './lab-element.ts';
import { LabEditorPanel } from './panels/editor-panel.ts';
import { LabFilesPanel } from './panels/files-panel.ts';
import { LabPreviewPanel } from './panels/preview-panel.ts';
import { LabStepsPanel } from './panels/steps-panel.ts';
import { LabTerminalPanel, type TerminalModules } from './panels/terminal-panel.ts';
import { labMark } from '../timing.ts';
import { Workbench } from './workbench.ts';

import { siteRuntime } from '../runtime-choice.ts';
export { siteRuntime };

async function makeRuntime(lab: OnrampLab, kind: RuntimeKind, size: { cols: number; rows: number }): Promise<LabRuntime> {
  if (kind === 'webcontainer') {
    const { WebContainerRuntime } = await import('../webcontainer.ts');
    return new WebContainerRuntime({ treeUrl: lab.data.treeUrl });
  }
  if (kind === 'tab') {
    const { createTabRuntime } = await import('../tab/start.ts');
    return createTabRuntime(lab.data.treeUrl, import.meta.env.BASE_URL);
  }
  const { RunnerRuntime } = await import('../runner-client.ts');
  return new RunnerRuntime({ lab: lab.data.id, cols: size.cols, rows: size.rows });
}

/**
 * Intent to start: fetches the terminal's code, and readies the runtime the lab will likely use —
 * the runner's client where the Onramp service answers, else the in-tab runtime's Worker.
 */
export function prefetch(treeUrl: string): void {
  void import('@xterm/xterm').catch(() => {});
  void import('@xterm/addon-fit').catch(() => {});
  const wanted = new URLSearchParams(location.search).get('runtime') ?? siteRuntime();
  if (wanted === 'runner' || wanted === 'recorded' || wanted === 'webcontainer') {
    if (wanted === 'runner') void import('../runner-client.ts').catch(() => {});
    return;
  }
  const warmTab = () => void import('../tab/start.ts').then((t) => t.warmTab(treeUrl, import.meta.env.BASE_URL)).catch(() => {});
  if (wanted === 'tab') return warmTab();
  // Automatic: the runner where the Onramp service answers, else the tab (a static host).
  void import('../runner-client.ts').catch(() => {});
  fetch(`${import.meta.env.BASE_URL.replace(/\/?$/, '/')}api/health`).then((r) => !r.ok && warmTab(), warmTab);
}

function loadTerminalModules(): Promise<TerminalModules> {
  return Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit'), import('@xterm/xterm/css/xterm.css?url')]).then(([xterm, fit, css]) => {
    if (!document.querySelector('link[data-xterm-css]')) {
      const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: css.default });
      link.dataset.xtermCss = '';
      document.head.append(link);
    }
    return [xterm, fit] as const;
  });
}

/** The lab's head: boot progress, the runtime's name, why a runtime was skipped, Start and Reset. */
function bindHead(lab: OnrampLab, c: LabController) {
  const q = <T extends HTMLElement>(sel: string) => lab.querySelector<T>(sel)!;
  const bootBox = q('[data-boot]');
  const bar = q<HTMLProgressElement>('[data-boot-progress]');
  const notice = q('[data-notice]');
  c.onAnnounce((text) => lab.announce(text));
  c.onChange((change) => {
    if (change !== 'boot' && change !== 'phase') return;
    const { phase, boot } = c.state;
    bootBox.hidden = phase !== 'starting' && phase !== 'recorded';
    q('[data-boot-message]').textContent = boot?.message ?? '';
    if (boot?.fraction === undefined) bar.removeAttribute('value');
    else bar.value = boot.fraction;
    bar.hidden = phase === 'recorded';
    notice.textContent = c.state.notice;
    notice.hidden = !c.state.notice;
    if (phase === 'ready' || phase === 'recorded') q('[data-action="start"]').hidden = true;
    q('[data-action="reset"]').hidden = phase !== 'ready' && phase !== 'ended';
    const label = { webcontainer: 'Running in your browser (WebContainer)', runner: 'Running on the Onramp lab runner', tab: 'Running in this tab' };
    q('[data-runtime-label]').textContent = phase === 'recorded' ? 'Recorded output' : c.state.runtime ? label[c.state.runtime] : '';
  });
}

async function showRecorded(lab: OnrampLab, c: LabController, steps: LabStepsPanel) {
  lab.toggleAttribute('data-started', false);
  for (const p of lab.querySelectorAll<HTMLElement>('[data-panel]:not([data-panel="steps"])')) p.hidden = true;
  lab.querySelector<HTMLElement>('[data-tabs]')!.hidden = true;
  let rec: LabRecording | null = null;
  try {
    const res = await fetch(lab.data.recordedUrl);
    if (res.ok) rec = (await res.json()) as LabRecording;
  } catch {
    /* offline */
  }
  // A walkthrough: the step being read is reported (a workshop board shows it, runtime "recorded").
  steps.showRecorded(rec, { current: c.readingStep(), go: (id) => c.readStep(id) });
  q(lab, '[data-boot-message]').textContent = c.state.notice;
  c.readyRecorded();
  void lab.stuck.then((handles) => handles.forEach((h) => h.update({ runtime: 'recorded' })));
}

const q = (lab: HTMLElement, sel: string) => lab.querySelector<HTMLElement>(sel)!;

function bindReset(lab: OnrampLab, c: LabController, terminal: LabTerminalPanel) {
  const dialog = lab.querySelector<HTMLDialogElement>('[data-reset-dialog]')!;
  q(lab, '[data-action="reset"]').addEventListener('click', () => {
    q(lab, '[data-reset-summary]').textContent = c.resetSummary();
    dialog.returnValue = '';
    dialog.showModal();
  });
  dialog.addEventListener('close', async () => {
    if (dialog.returnValue !== 'reset') {
      lab.announce('Reset cancelled: your work is kept.');
      q(lab, '[data-action="reset"]').focus();
      return;
    }
    await c.reset();
    terminal.dispose();
    // A fresh session with the starter files: reload and start again.
    try {
      sessionStorage.setItem(AUTOSTART_KEY, lab.data.id);
    } catch {
      /* no storage: the learner presses Start */
    }
    location.reload();
  });
}

export async function startWorkspace(lab: OnrampLab): Promise<void> {
  const data = lab.data;
  const eventsLoading = loadLabEvents(data.id);
  const plan = forLab(planRuntimes(new URLSearchParams(location.search).get('runtime')), data.needs ?? []);
  const workbench = new Workbench(lab, (panel) => {
    if (panel === 'terminal') terminal.fit();
  });
  const steps = lab.querySelector<LabStepsPanel>('onramp-lab-steps')!;
  const terminal = lab.querySelector<LabTerminalPanel>('onramp-lab-terminal')!;
  let size = { cols: 80, rows: 24 };
  const c = new LabController(data, { makeRuntime: (kind) => makeRuntime(lab, kind, size) });
  bindHead(lab, c);
  lab.addEventListener('lab-hint', (e) => c.events.hintViewed((e as CustomEvent).detail.step));
  lab.addEventListener('lab-solution', (e) => c.events.solutionRevealed((e as CustomEvent).detail.step));

  if (!plan.recorded) {
    workbench.open();
    // The workbench fills the window below the lab's bar: bring it into view.
    lab.querySelector('.onramp-lab__bar')!.scrollIntoView({ block: 'start' });
  }
  // The terminal's code is heavy to evaluate: load it once the runtime has sent its boot request,
  // so the server prepares the session while the browser compiles xterm.
  let modules: Promise<TerminalModules> | null = null;
  const box = terminal.getBoundingClientRect();
  size = { cols: Math.max(40, Math.floor((box.width - 8) / 8.4)) || 80, rows: Math.max(10, Math.floor((box.height - 8) / 17)) || 24 };
  const live = await c.start(plan, () => (modules ??= loadTerminalModules()));
  c.events = await eventsLoading;
  if (!live) return showRecorded(lab, c, steps);

  const loaded = await modules!;
  labMark('terminal-code');
  terminal.create(loaded);
  lab.controller = c;
  // The terminal first: the prompt is what the learner waits for. The editor's code loads after.
  await terminal.bind(c);
  labMark('shell-attached');
  const editor = lab.querySelector<LabEditorPanel>('onramp-lab-editor')!;
  await Promise.all([steps.bind(c), lab.querySelector<LabFilesPanel>('onramp-lab-files')!.bind(c), editor.bind(c), lab.querySelector<LabPreviewPanel>('onramp-lab-preview')!.bind(c)]);
  const idle = (fn: () => void) => ('requestIdleCallback' in window ? requestIdleCallback(fn, { timeout: 3000 }) : setTimeout(fn, 500));
  idle(() => editor.preload());
  bindReset(lab, c, terminal);
  lab.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
      e.preventDefault();
      void c.save();
    }
  });
  c.onChange((change) => {
    if (change === 'preview' && workbench.wide && !c.isDirty()) workbench.show('preview');
    if (change === 'open' && workbench.wide && lab.querySelector('[data-bench]')!.getAttribute('data-upper') !== 'files') workbench.show('files');
  });
  c.onTerminalInput(() => {
    if (!workbench.wide) workbench.show('terminal');
  });
  void lab.stuck.then((handles) => handles.forEach((h) => h.update({ runtime: c.runtime!.kind })));
  await c.ready();
  terminal.focus();
  requestAnimationFrame(() => lab.querySelector('.onramp-lab__bar')!.scrollIntoView({ block: 'start' }));
  lab.dataset.ready = c.runtime!.kind;
}
