// The hostile corpus: every file refused with the right exit code, nothing executed.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../../labs/ramp/src/estimators/index.ts';
import { LimitError, MalformedPickleError, UnsafePickleError } from '../../../labs/ramp/src/errors.ts';
import { loadPickleBytes } from '../../../labs/ramp/src/load.ts';
import { HOSTILE, ramp } from './helpers.ts';

const manifest = JSON.parse(readFileSync(join(HOSTILE, 'manifest.json'), 'utf8')) as { marker: string; files: Record<string, { exit: number; why: string }> };
const entries = Object.entries(manifest.files);

beforeAll(() => rmSync(manifest.marker, { force: true }));
afterAll(() => {
  // proof that nothing ran: every code payload in the corpus would create this file
  expect(existsSync(manifest.marker)).toBe(false);
});

describe('hostile corpus, in process', () => {
  it('has a broad corpus', () => {
    expect(entries.length).toBeGreaterThanOrEqual(45);
  });
  // No wall-clock bound (it flaked on 2 cores under a full run): the unpickler's own limits bound the
  // work; a hang fails at the test timeout, ten times what the slowest file needs.
  it.each(entries)('%s is refused (load and scan) with a typed error, within the memory limit', { timeout: 30_000 }, (file, { exit, why }) => {
    const bytes = readFileSync(join(HOSTILE, file));
    const before = process.memoryUsage().rss;
    let err: unknown;
    try {
      const { result } = loadPickleBytes(bytes, 'load');
      buildModel(result.value);
    } catch (e) {
      err = e;
    }
    if (exit === 3) expect(err, why).toBeInstanceOf(UnsafePickleError);
    else expect(err instanceof MalformedPickleError || err instanceof LimitError, `${why}: ${String(err)}`).toBe(true);
    if (err instanceof UnsafePickleError) {
      expect(err.offset).toBeGreaterThanOrEqual(0);
      expect(err.message).toMatch(/at byte \d+/);
    }
    let scanErr: unknown;
    let findings = 0;
    try {
      findings = loadPickleBytes(bytes, 'scan').result.findings.length;
    } catch (e) {
      scanErr = e;
    }
    if (exit === 3) expect(findings, why).toBeGreaterThan(0);
    else expect(scanErr instanceof MalformedPickleError || scanErr instanceof LimitError, `${why}: ${String(scanErr)}`).toBe(true);
    expect(process.memoryUsage().rss - before).toBeLessThan(600 * 1024 * 1024);
  });
});

describe('hostile corpus, through the CLI', () => {
  it.each(entries)('ramp scan %s exits with the documented code', (file, { exit }) => {
    const r = ramp(['scan', join(HOSTILE, file), '--json']);
    expect(r.status).toBe(exit);
    const body = r.json();
    if (exit === 3) {
      expect(body.safe).toBe(false);
      expect(body.findings.length).toBeGreaterThan(0);
      for (const f of body.findings) {
        expect(typeof f.offset).toBe('number');
        expect(['global', 'opcode', 'structure']).toContain(f.kind);
        expect(f.why.length).toBeGreaterThan(5);
      }
    } else {
      expect(['malformed', 'limit']).toContain(body.error.code);
    }
  });
  it('predict and serve refuse an unsafe model before doing anything', () => {
    const p = ramp(['predict', join(HOSTILE, 'hidden_payload_model.pkl'), '--input', '-'], { input: '[[1,2,3,4,5,6]]' });
    expect(p.status).toBe(3);
    expect(p.stderr).toMatch(/posix\.system|os\.system/);
    const s = ramp(['serve', join(HOSTILE, 'posix_system.pkl'), '--port', '0']);
    expect(s.status).toBe(3);
    const i = ramp(['inspect', join(HOSTILE, 'hidden_payload_forest.zlib.joblib'), '--json']);
    expect(i.status).toBe(3);
    expect(i.json().error.findings[0].what).toBe('builtins.exec');
  });
});
