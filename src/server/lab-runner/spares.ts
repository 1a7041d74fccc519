/**
 * Warm spares: one session per lab that someone started lately, its folder seeded and its
 * sandbox and shell already up, handed to the next learner who presses Start. Starting a
 * bubblewrap sandbox and a shell in it is most of Start → prompt; a spare takes it off the path.
 * A spare is only kept while the runner has room for it, and never outlives the runner.
 */
import type { LabTree } from '../../shared/lab-schema.ts';
import type { LabSession } from './session.ts';

interface Spare {
  tree: LabTree;
  ready: Promise<LabSession | null>;
  dead: boolean;
}

export interface SparePoolOptions {
  /** Prepares a session (init + shell); rejects when it cannot. */
  make: (lab: string, tree: LabTree) => Promise<LabSession>;
  /** Tears a session down (folder, processes). */
  destroy: (session: LabSession) => Promise<void>;
  /** Whether the runner has room for one more session. */
  room: () => boolean;
}

export class SparePool {
  private readonly spares = new Map<string, Spare>();
  private readonly opts: SparePoolOptions;
  private closed = false;

  constructor(opts: SparePoolOptions) {
    this.opts = opts;
  }

  get size(): number {
    return this.spares.size;
  }

  /** The prepared sessions (for the runner's status and its tests). */
  async sessions(): Promise<LabSession[]> {
    const all = await Promise.all([...this.spares.values()].map((s) => s.ready));
    return all.filter((s): s is LabSession => s !== null);
  }

  /** The prepared session for `lab` when it was built from this very tree, else null. */
  async take(lab: string, tree: LabTree): Promise<LabSession | null> {
    const spare = this.spares.get(lab);
    if (!spare) return null;
    this.spares.delete(lab);
    const session = await spare.ready;
    if (!session) return null;
    if (spare.dead || session.closed || spare.tree !== tree) {
      await this.opts.destroy(session);
      return null;
    }
    return session;
  }

  /** Starts preparing the next spare for `lab`, unless one exists or there is no room. */
  refill(lab: string, tree: LabTree): void {
    if (this.closed || this.spares.has(lab) || !this.opts.room()) return;
    const spare: Spare = { tree, ready: Promise.resolve(null), dead: false };
    spare.ready = this.opts.make(lab, tree).then(
      (session) => {
        // A sandbox that stops before anyone takes it (a limit, a crash) is not handed out.
        void session.sandbox?.exited.then(() => {
          spare.dead = true;
          if (this.spares.get(lab) === spare) {
            this.spares.delete(lab);
            void this.opts.destroy(session);
          }
        });
        return session;
      },
      () => null,
    );
    this.spares.set(lab, spare);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.spares.values()];
    this.spares.clear();
    await Promise.all(all.map(async (s) => {
      const session = await s.ready;
      if (session) await this.opts.destroy(session);
    }));
  }
}
