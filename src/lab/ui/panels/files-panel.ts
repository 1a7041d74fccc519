/** `<onramp-lab-files>`: the lab's files; the open one is marked, an unsaved one says so. */
import type { Change } from '../../controller.ts';
import { h } from '../dom.ts';
import { define, LabPanel } from './panel.ts';

/** Files the editor does not open (binary models and archives). */
export const BINARY_FILE = /\.(pkl|pickle|joblib|gz|bz2|xz|lzma|zip|npy|npz|parquet)$/i;

export class LabFilesPanel extends LabPanel {
  private list = h('ul', { class: 'onramp-lab__file-list', 'aria-label': 'Lab files' });

  protected setup(): void {
    const refresh = h('button', { type: 'button', 'data-action': 'refresh-files', class: 'onramp-lab__small' }, 'Refresh');
    refresh.addEventListener('click', () => void this.controller.refreshFiles());
    this.replaceChildren(h('div', { class: 'onramp-lab__files-head' }, h('span', {}, 'Files'), refresh), this.list);
    this.list.addEventListener('click', (e) => {
      const b = (e.target as Element).closest<HTMLButtonElement>('button[data-file]');
      if (b && !b.disabled) void this.controller.openFile(b.dataset.file!).catch((error: Error) => this.controller.announce(`${b.dataset.file} could not be opened: ${error.message}`));
    });
  }

  protected update(change: Change): void {
    if (change === 'files') this.render();
    if (change === 'open') this.mark();
  }

  private render() {
    this.list.replaceChildren(
      ...this.controller.state.files.map((f) => {
        const b = h('button', { type: 'button', 'data-file': f }, h('span', { class: 'onramp-lab__file-name' }, f));
        if (BINARY_FILE.test(f)) {
          b.disabled = true;
          b.title = 'A binary file: inspect it with ramp in the terminal';
        }
        return h('li', {}, b);
      }),
    );
    this.mark();
  }

  private mark() {
    const open = this.controller.state.open;
    const dirty = this.controller.isDirty();
    for (const b of this.list.querySelectorAll<HTMLButtonElement>('button[data-file]')) {
      const isOpen = b.dataset.file === open?.path;
      if (isOpen) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
      b.querySelector('[data-dirty]')?.remove();
      if (isOpen && dirty) b.append(h('span', { class: 'onramp-lab__dirty', 'data-dirty': '' }, h('span', { 'aria-hidden': 'true' }, ' ●'), h('span', { class: 'sr-only' }, ' (unsaved)')));
    }
  }
}

define('onramp-lab-files', LabFilesPanel);
