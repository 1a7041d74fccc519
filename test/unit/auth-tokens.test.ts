/**
 * Access tokens: wrong, revoked and wrong-role tokens are refused; tokens survive a restart; the
 * store never holds a token in clear; the first admin is bootstrapped from ONRAMP_ADMIN_TOKEN or
 * generated once; rate limits per token and per client. SQLite always, PostgreSQL when
 * ONRAMP_TEST_DATABASE_URL is set (as the store suite).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../src/server/app.ts';
import { readFeedbackConfig } from '../../src/server/feedback/config.ts';
import { feedbackPart } from '../../src/server/feedback/part.ts';
import { bootstrapAdmin, createToken, revokeToken, listTokens } from '../../src/server/auth/tokens.ts';
import { openSqliteStore } from '../../src/server/store/sqlite.ts';
import { openPostgresStore } from '../../src/server/store/postgres.ts';
import type { Store } from '../../src/server/store/types.ts';
import { personaIds } from '../../src/shared/personas.ts';

const PG_URL = process.env.ONRAMP_TEST_DATABASE_URL;
const site = mkdtempSync(join(tmpdir(), 'onramp-auth-site-'));
writeFileSync(join(site, 'index.html'), '<!doctype html><title>t</title>');
const dir = mkdtempSync(join(tmpdir(), 'onramp-auth-'));
const schema = `auth_${process.pid}_${Date.now()}`;

interface Backend {
  name: string;
  skip?: string;
  /** A store over the same data each time it is opened (a restart). */
  open(): Promise<Store>;
  env: Record<string, string>;
}

const sqliteFile = join(dir, 'tokens.db');
const backends: Backend[] = [
  { name: 'SQLite', open: async () => openSqliteStore(sqliteFile), env: { ONRAMP_DB: sqliteFile } },
  {
    name: 'PostgreSQL',
    skip: PG_URL ? undefined : 'set ONRAMP_TEST_DATABASE_URL',
    open: async () => {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await admin.end();
      return openPostgresStore(`${PG_URL}${PG_URL!.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`, { poolSize: 3 });
    },
    env: {},
  },
];

afterAll(async () => {
  if (!PG_URL) return;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

async function serve(store: Store, env: Record<string, string> = {}): Promise<{ base: string; service: Service; generated?: string }> {
  const config = readFeedbackConfig({ ONRAMP_DB: ':memory:', ONRAMP_RATE_LIMIT: '0', ...env });
  const part = await feedbackPart(config, personaIds(), store);
  const service = await createService({ port: 0, host: '127.0.0.1', siteDir: site }, [part]);
  await new Promise<void>((r) => service.server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`, service, generated: part.bootstrap.generated };
}

const get = (base: string, path: string, token?: string) => fetch(base + path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });

for (const backend of backends) {
  (backend.skip ? describe.skip : describe)(`access tokens on ${backend.name}`, () => {
    it('generates the first admin once, keeps it across restarts, and refuses wrong, revoked and wrong-role tokens', async () => {
      let store = await backend.open();
      let s = await serve(store);
      const admin = s.generated!;
      expect(admin).toMatch(/^onr_/);
      expect((await get(s.base, '/api/insights/summary', admin)).status).toBe(200);
      const instructor = await createToken(store, 'alice', 'instructor');
      expect((await get(s.base, '/api/insights/summary', instructor.token)).status).toBe(403);
      expect((await get(s.base, '/api/auth/me', instructor.token)).status).toBe(200);
      expect((await get(s.base, '/api/tokens', instructor.token)).status).toBe(403);
      expect((await get(s.base, '/api/insights/summary', admin.slice(0, -1) + (admin.endsWith('A') ? 'B' : 'A'))).status).toBe(401);
      expect((await get(s.base, '/api/insights/summary')).status).toBe(401);
      await s.service.close();

      // Restart: the generated admin still works, nothing new is generated.
      store = await backend.open();
      s = await serve(store);
      expect(s.generated).toBeUndefined();
      expect((await get(s.base, '/api/insights/summary', admin)).status).toBe(200);
      expect((await get(s.base, '/api/auth/me', instructor.token)).status).toBe(200);
      await revokeToken(store, 'alice');
      expect((await get(s.base, '/api/auth/me', instructor.token)).status).toBe(401);
      await s.service.close();
    });

    it('manages tokens over the API (admin only), listing them without the tokens', async () => {
      const store = await backend.open();
      const s = await serve(store, { ONRAMP_ADMIN_TOKEN: 'env-admin-token-0123456789abcdef' });
      const auth = { Authorization: 'Bearer env-admin-token-0123456789abcdef', 'Content-Type': 'application/json' };
      const made = await fetch(`${s.base}/api/tokens`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'bob', role: 'instructor' }) });
      expect(made.status).toBe(201);
      const { token, id } = (await made.json()) as { token: string; id: string };
      expect((await get(s.base, '/api/auth/me', token)).status).toBe(200);
      const listing = await (await get(s.base, '/api/tokens', 'env-admin-token-0123456789abcdef')).text();
      expect(listing).toContain('"bob"');
      expect(listing).not.toContain(token);
      expect(listing).not.toMatch(/hash/);
      expect((await fetch(`${s.base}/api/tokens`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'eve', role: 'root' }) })).status).toBe(400);
      expect((await fetch(`${s.base}/api/tokens/${id}`, { method: 'DELETE', headers: auth })).status).toBe(200);
      expect((await get(s.base, '/api/auth/me', token)).status).toBe(401);
      await s.service.close();
    });

    it('never stores a token in clear', async () => {
      const store = await backend.open();
      const made = await createToken(store, 'carol', 'admin');
      const rows = await store.query<Record<string, unknown>>('SELECT * FROM access_tokens');
      expect(JSON.stringify(rows)).not.toContain(made.token);
      expect(JSON.stringify(rows)).not.toContain(made.token.slice(4));
      expect(JSON.stringify(await listTokens(store))).not.toContain(made.token);
      await store.close();
      if (backend.name === 'SQLite') {
        for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f)).includes(made.token.slice(4)), f).toBe(false);
      }
    });
  });
}

describe('bootstrapping from ONRAMP_ADMIN_TOKEN', () => {
  it('replaces a changed value and keeps a revoked one revoked', async () => {
    const store = openSqliteStore(':memory:');
    await bootstrapAdmin(store, 'first-admin-token-0123456789');
    await bootstrapAdmin(store, 'second-admin-token-0123456789');
    const active = (await listTokens(store)).filter((t) => !t.revokedAt);
    expect(active.map((t) => t.name)).toEqual(['admin (ONRAMP_ADMIN_TOKEN)']);
    await revokeToken(store, 'admin (ONRAMP_ADMIN_TOKEN)');
    expect((await bootstrapAdmin(store, 'second-admin-token-0123456789')).note).toMatch(/revoked/);
    expect((await listTokens(store)).filter((t) => !t.revokedAt)).toEqual([]);
    await store.close();
  });
});

describe('rate limits', () => {
  it('limits requests per token and wrong tokens per client', async () => {
    const store = openSqliteStore(':memory:');
    const s = await serve(store, { ONRAMP_ADMIN_TOKEN: 'limit-admin-token-0123456789', ONRAMP_TOKEN_RATE_LIMIT: '5' });
    const ok: number[] = [];
    for (let i = 0; i < 6; i++) ok.push((await get(s.base, '/api/auth/me', 'limit-admin-token-0123456789')).status);
    expect(ok).toEqual([200, 200, 200, 200, 200, 429]);
    // Wrong tokens: 30 a minute per client, then 429 (whatever the token).
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) statuses.push((await get(s.base, '/api/insights/summary', `wrong-token-${i}`)).status);
    expect(statuses.slice(0, 30).every((x) => x === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    await s.service.close();
  });
});
