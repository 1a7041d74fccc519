/**
 * An Onramp service of a test's own, separate from the shared webServer: its own port and SQLite
 * file, so the test can stop it (SIGTERM, as a deploy does) and start it again on the same port
 * and store while browsers stay connected. It serves the built site in dist/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from '@playwright/test';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A port the system says is free now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class OwnService {
  readonly port: number;
  readonly base: string;
  private readonly env: NodeJS.ProcessEnv;
  private child: ChildProcess | null = null;
  /** What the service printed, for a failure's message. */
  log = '';

  private constructor(port: number, env: Record<string, string>) {
    this.port = port;
    this.base = `http://127.0.0.1:${port}`;
    const db = join(mkdtempSync(join(tmpdir(), 'onramp-e2e-own-')), 'onramp.db');
    this.env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', ONRAMP_DB: db, ...env };
  }

  static async create(env: Record<string, string>): Promise<OwnService> {
    return new OwnService(await freePort(), env);
  }

  /** Starts the service and waits until it answers /api/health. */
  async start(): Promise<void> {
    if (this.child) throw new Error('the service is already running');
    const child = spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', 'src/server/main.ts'], { cwd: ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (d) => (this.log += d));
    child.stderr!.on('data', (d) => (this.log += d));
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    await expect
      .poll(
        async () => {
          if (!this.child) throw new Error(`the service exited while starting:\n${this.log}`);
          return fetch(`${this.base}/api/health`).then((r) => r.status, () => 0);
        },
        { message: `the service answers on ${this.base}`, timeout: 30_000 },
      )
      .toBe(200);
  }

  /** Stops the service as a deploy does (SIGTERM: it ends open streams and exits), SIGKILL if it hangs. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
    this.child = null;
  }
}
