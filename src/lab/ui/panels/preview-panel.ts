/** `<onramp-lab-preview>`: the server the lab started, in an iframe, with its address to edit or open. */
import type { Change } from '../../controller.ts';
import { h } from '../dom.ts';
import { define, LabPanel } from './panel.ts';

export class LabPreviewPanel extends LabPanel {
  private address = h('input', { type: 'text', 'aria-label': 'Preview address', 'data-preview-address': '' });
  private newTab = h('a', { target: '_blank', rel: 'noopener', 'data-preview-open': '' }, 'Open in a new tab');
  private frame = h('iframe', { title: 'Preview of the server the lab started', 'data-preview': '' });
  private empty = h('p', { class: 'onramp-lab__empty' }, 'Nothing to preview yet. When a step starts a server, it shows here.');

  protected setup(): void {
    const go = h('button', { type: 'button', class: 'onramp-lab__small' }, 'Go');
    go.addEventListener('click', () => this.controller.showPreview(this.address.value));
    this.address.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.controller.showPreview(this.address.value);
    });
    this.frame.hidden = true;
    this.replaceChildren(h('div', { class: 'onramp-lab__address' }, this.address, go, this.newTab), this.empty, this.frame);
  }

  protected update(change: Change): void {
    if (change !== 'preview') return;
    const p = this.controller.state.preview;
    if (!p) return;
    this.address.value = p.url;
    this.newTab.href = p.url;
    this.frame.src = p.url;
    this.frame.hidden = false;
    this.empty.hidden = true;
    this.dispatchEvent(new CustomEvent('lab-preview', { bubbles: true }));
  }
}

define('onramp-lab-preview', LabPreviewPanel);
