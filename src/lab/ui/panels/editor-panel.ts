/**
 * `<onramp-lab-editor>`: CodeMirror 6 on the open file, in the site's theme. Edits autosave into
 * the runtime after a pause; Ctrl/Cmd-S saves at once; the header says whether the file is saved.
 * Long lines scroll inside the editor, never the page.
 */
import type { EditorView } from '@codemirror/view';
import type { Change } from '../../controller.ts';
import { h } from '../dom.ts';
import { define, LabPanel } from './panel.ts';

type Modules = Awaited<ReturnType<typeof loadModules>>;

function loadModules() {
  return Promise.all([import('codemirror'), import('@codemirror/view'), import('@codemirror/lang-json'), import('@codemirror/lang-yaml'), import('@codemirror/lang-javascript'), import('../editor-theme.ts')]);
}

export class LabEditorPanel extends LabPanel {
  /** CodeMirror loads after the terminal is up (it is not needed for the prompt). */
  private mods: Promise<Modules> | null = null;
  private view: EditorView | null = null;
  /** The file the editor is opening (CodeMirror may still be loading) and the one its view shows. */
  private viewPath = '';
  private viewShows = '';
  private fileTitle = h('p', { class: 'onramp-lab__editor-title', 'data-editor-title': '' }, 'Choose a file to edit it.');
  private state = h('span', { class: 'onramp-lab__save-state', 'data-save-state': '' });
  private saveButton = h('button', { type: 'button', 'data-action': 'save', class: 'onramp-lab__small', 'aria-keyshortcuts': 'Control+S Meta+S' }, 'Save');
  private box = h('div', { class: 'onramp-lab__editor', 'data-editor': '' });

  protected setup(): void {
    this.saveButton.disabled = true;
    this.saveButton.addEventListener('click', () => void this.controller.save().then(() => this.controller.announce(`Saved ${this.controller.state.open?.path ?? ''}`)));
    this.replaceChildren(h('div', { class: 'onramp-lab__editor-head' }, this.fileTitle, this.state, this.saveButton), this.box);
  }

  protected update(change: Change): void {
    if (change !== 'open') return;
    const open = this.controller.state.open;
    if (!open) return;
    if (open.path !== this.viewPath) {
      this.viewPath = open.path;
      void (this.mods ??= loadModules()).then((mods) => this.openView(mods, open.path));
    } else if (this.view && this.viewShows === open.path && this.view.state.doc.toString() !== open.text) this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: open.text } });
    const dirty = open.text !== open.saved;
    this.fileTitle.replaceChildren(h('code', {}, open.path));
    this.state.textContent = open.error || (open.saving ? 'Saving…' : dirty ? 'Unsaved changes' : 'Saved');
    this.state.className = `onramp-lab__save-state${open.error ? ' is-error' : dirty ? ' is-dirty' : ''}`;
    this.saveButton.disabled = false;
    const lab = this.closest('onramp-lab');
    const dot = lab?.querySelector<HTMLElement>('[data-tab-dirty]');
    if (dot) dot.hidden = !dirty;
  }

  /** Starts loading CodeMirror (when the learner is likely to open a file). */
  preload(): void {
    this.mods ??= loadModules();
  }

  private openView(mods: Modules, path: string) {
    if (path !== this.viewPath) return; // another file was opened meanwhile
    const text = this.controller.state.open?.text ?? '';
    const [{ basicSetup }, { EditorView, keymap }, json, yaml, js, theme] = mods;
    const language = path.endsWith('.json') ? [json.json()] : /\.ya?ml$/.test(path) ? [yaml.yaml()] : /\.[mc]?[jt]s$/.test(path) ? [js.javascript()] : [];
    const save = () => {
      void this.controller.save().then(() => this.controller.announce(`Saved ${path}`));
      return true;
    };
    this.view?.destroy();
    this.viewShows = path;
    this.view = new EditorView({
      doc: text,
      parent: this.box,
      extensions: [
        keymap.of([{ key: 'Mod-s', run: save, preventDefault: true }]),
        basicSetup,
        ...language,
        theme.editorTheme,
        // tabindex: the content is a tab stop already (contenteditable); saying so lets axe see the scroller is reachable.
        EditorView.contentAttributes.of({ 'aria-label': `Editing ${path}`, tabindex: '0' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) this.controller.edit(u.state.doc.toString());
        }),
      ],
    });
  }

  focusEditor(): void {
    this.view?.focus();
  }
}

define('onramp-lab-editor', LabEditorPanel);
