/**
 * The workbench layout once a lab starts. Wide (the lab's box at least `WIDE_PX`): steps on one
 * side, scrolling on their own; on the other the terminal, and above it the files and editor or the
 * preview (two tabs); all pinned to the viewport's height. Narrow: four tabs — Steps · Terminal ·
 * Files · Preview — so every panel is one tap away. The same rules hold for a lab embedded in a
 * guide: they follow the lab's own width, not the window's. Full screen gives the workbench the
 * whole screen (the Fullscreen API where there is one, a fixed overlay otherwise).
 */
export type PanelName = 'steps' | 'terminal' | 'files' | 'preview';
const UPPER: PanelName[] = ['files', 'preview'];

/** Below this content width (px) the lab switches to tabs. */
export const WIDE_PX = 560;

export class Workbench {
  private lab: HTMLElement;
  private bench: HTMLElement;
  private tabs: HTMLButtonElement[];
  private onShow: (panel: PanelName) => void;
  wide = true;

  constructor(lab: HTMLElement, onShow: (panel: PanelName) => void = () => {}) {
    this.lab = lab;
    this.onShow = onShow;
    this.bench = lab.querySelector<HTMLElement>('[data-bench]')!;
    this.tabs = [...lab.querySelectorAll<HTMLButtonElement>('[data-tab]')];
    for (const p of lab.querySelectorAll<HTMLElement>('[data-panel]')) p.dataset.heading ??= p.getAttribute('aria-labelledby') ?? '';
  }

  /** Turns the page's plain steps into the workbench. */
  open(): void {
    this.lab.toggleAttribute('data-started', true);
    this.lab.querySelector<HTMLElement>('[data-tabs]')!.hidden = false;
    for (const p of this.lab.querySelectorAll<HTMLElement>('[data-panel]')) p.hidden = false;
    const tablist = this.lab.querySelector<HTMLElement>('[data-tabs]')!;
    tablist.addEventListener('click', (e) => {
      const tab = (e.target as Element).closest<HTMLButtonElement>('[data-tab]');
      if (tab) this.show(tab.dataset.tab as PanelName);
    });
    tablist.addEventListener('keydown', (e) => this.onKey(e));
    new ResizeObserver(() => this.layout()).observe(this.lab);
    this.layout();
    this.setupFullscreen();
  }

  private layout() {
    const style = getComputedStyle(this.lab);
    const width = this.lab.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const wide = width >= WIDE_PX;
    if (wide === this.wide && this.bench.dataset.layout) return;
    this.wide = wide;
    this.bench.dataset.layout = wide ? 'wide' : 'tabs';
    this.render();
  }

  private visibleTabs(): HTMLButtonElement[] {
    return this.tabs.filter((t) => !this.wide || UPPER.includes(t.dataset.tab as PanelName));
  }

  /** Shows a panel: in tabs, the active one; when wide, steps and terminal are always there. */
  show(panel: PanelName): void {
    if (UPPER.includes(panel)) this.bench.dataset.upper = panel;
    this.bench.dataset.active = panel;
    this.render();
    this.onShow(panel);
  }

  private render() {
    const active = this.wide ? (this.bench.dataset.upper as PanelName) : (this.bench.dataset.active as PanelName);
    for (const tab of this.tabs) {
      const name = tab.dataset.tab as PanelName;
      const shown = this.visibleTabs().includes(tab);
      tab.hidden = !shown;
      tab.setAttribute('aria-selected', String(name === active));
      tab.tabIndex = name === active ? 0 : -1;
      const panel = this.lab.querySelector<HTMLElement>(`[data-panel="${name}"]`)!;
      // A panel is a tab panel only while a tab controls it; otherwise a plain region.
      if (shown) {
        panel.setAttribute('role', 'tabpanel');
        panel.setAttribute('aria-labelledby', tab.id);
      } else {
        panel.setAttribute('role', 'region');
        panel.setAttribute('aria-labelledby', panel.dataset.heading || tab.id);
      }
    }
  }

  private onKey(e: KeyboardEvent) {
    const tabs = this.visibleTabs();
    const i = tabs.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const next = e.key === 'ArrowRight' ? (i + 1) % tabs.length : e.key === 'ArrowLeft' ? (i - 1 + tabs.length) % tabs.length : e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    tabs[next]!.focus();
    this.show(tabs[next]!.dataset.tab as PanelName);
  }

  private setupFullscreen() {
    const button = this.lab.querySelector<HTMLButtonElement>('[data-action="fullscreen"]')!;
    button.hidden = false;
    const set = (on: boolean) => {
      this.lab.classList.toggle('is-fullscreen', on);
      button.setAttribute('aria-pressed', String(on));
      button.textContent = on ? 'Exit full screen' : 'Full screen';
    };
    button.addEventListener('click', async () => {
      const on = !this.lab.classList.contains('is-fullscreen');
      set(on);
      try {
        if (on && this.lab.requestFullscreen && document.fullscreenEnabled) await this.lab.requestFullscreen();
        else if (!on && document.fullscreenElement) await document.exitFullscreen();
      } catch {
        /* refused (e.g. in an iframe): the overlay alone fills the window */
      }
      button.focus();
    });
    document.addEventListener('fullscreenchange', () => {
      if (!document.fullscreenElement && this.lab.classList.contains('is-fullscreen')) set(false);
    });
  }
}
