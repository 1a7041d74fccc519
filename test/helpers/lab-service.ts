/** Starts the real Onramp service with the lab runner part, and makes runner clients for it (Node `ws`). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createService, type Service } from '../../src/server/app.ts';
import { labRunner, type LabRunner, type LabRunnerOptions } from '../../src/server/lab-runner/index.ts';
import { treeLoader } from '../../src/server/lab-runner/trees.ts';
import { RunnerRuntime, type SocketLike } from '../../src/lab/runner-client.ts';

export const ROOT = process.cwd();

export interface LabService {
  base: string;
  runner: LabRunner;
  service: Service;
  runtime(lab: string, origin?: string): RunnerRuntime;
  close(): Promise<void>;
}

export async function startLabService(options: Partial<LabRunnerOptions> = {}): Promise<LabService> {
  const site = mkdtempSync(join(tmpdir(), 'onramp-site-'));
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(site, '404.html'), '<!doctype html><title>404</title>');
  const runner = labRunner({ loadTree: treeLoader(join(site, 'none'), ROOT), pollMs: 150, ...options });
  const service = await createService({ port: 0, host: '127.0.0.1', siteDir: site }, [runner]);
  await new Promise<void>((r) => service.server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
  return {
    base,
    runner,
    service,
    runtime(lab, origin = base) {
      return new RunnerRuntime({ lab, baseUrl: base, createSocket: (url) => new WebSocket(url, { origin }) as unknown as SocketLike });
    },
    close: () => service.close(),
  };
}
