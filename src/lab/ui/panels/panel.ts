/** The base of the lab's panels: framework-free custom elements that render the controller's state and send it intents. */
import type { Change, LabController } from '../../controller.ts';

export abstract class LabPanel extends HTMLElement {
  protected controller!: LabController;
  private unsubscribe: (() => void)[] = [];

  async bind(controller: LabController): Promise<void> {
    this.controller = controller;
    this.unsubscribe.push(controller.onChange((change) => this.update(change)));
    await this.setup();
    this.update('phase');
  }

  /** Called once, from `bind`. */
  protected setup(): void | Promise<void> {}
  /** Re-renders what `change` touches. */
  protected abstract update(change: Change): void;

  disconnectedCallback(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }
}

export function define(name: string, ctor: CustomElementConstructor): void {
  if (!customElements.get(name)) customElements.define(name, ctor);
}
