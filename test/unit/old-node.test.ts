/**
 * The README's old-Node path: `npm install` on a Node older than "engines" fails at once (engine-strict
 * in .npmrc) instead of installing for a minute, and scripts/check-node.mjs gives one command that
 * works. Runs where an old Node is installed next to the current one (CI machines ship Debian's
 * Node 20 in /usr/bin); skipped elsewhere, saying so.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './ramp/helpers.ts';

function oldNode(): string | null {
  for (const bin of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(bin)) continue;
    const v = spawnSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
    const [a, b] = v.split('.').map(Number) as [number, number];
    if (a < 22 || (a === 22 && b < 12)) return bin;
  }
  return null;
}

const node = oldNode();
const npm = node && existsSync(join(dirname(node), 'npm')) ? join(dirname(node), 'npm') : null;

describe.skipIf(!node)(`on an old Node (${node ?? 'none found in /usr/bin or /usr/local/bin'})`, () => {
  it('check-node.mjs refuses it and names one command that works', () => {
    const r = spawnSync(node!, [join(ROOT, 'scripts', 'check-node.mjs')], { encoding: 'utf8', env: { ...process.env, npm_lifecycle_event: 'prestart' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Onramp needs Node\.js >= 22\.12/);
    if (process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64')) {
      expect(r.stderr).toContain(`npx -y -p node-linux-${process.arch}@24 -- sh -c 'npm install && npm start'`);
    }
  });

  it.skipIf(!npm)('npm install fails at once on the engine check, before installing anything', () => {
    const dir = mkdtempSync(join(tmpdir(), 'onramp-old-node-'));
    try {
      for (const f of ['package.json', 'package-lock.json', '.npmrc']) copyFileSync(join(ROOT, f), join(dir, f));
      const r = spawnSync(npm!, ['install', '--no-audit', '--no-fund'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${dirname(node!)}:${process.env.PATH}` },
        timeout: 60_000,
      });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('EBADENGINE');
      expect(r.stderr).toContain('Required: {"node":">=22.12"}');
      expect(existsSync(join(dir, 'node_modules'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
