/**
 * Named access tokens with roles, kept in the store as SHA-256 hashes only (a token is 32 random
 * bytes, so a fast hash is enough: nothing to brute-force). `admin` may read insights, export
 * and manage tokens; `instructor` runs workshops. A token is shown once, when it is created.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Store } from '../store/index.ts';
import type { TokenRow } from '../store/types.ts';

export const ROLES = ['admin', 'instructor'] as const;
export type Role = (typeof ROLES)[number];

/** What each role may do: admin ⊇ instructor. */
const GRANTS: Record<Role, readonly Role[]> = { admin: ['admin', 'instructor'], instructor: ['instructor'] };

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export class TokenError extends Error {}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return `onr_${randomBytes(32).toString('base64url')}`;
}

export function allows(role: string, needed: Role): boolean {
  return (GRANTS[role as Role] ?? []).includes(needed);
}

const iso = (ms: number | null) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

function info(row: TokenRow): TokenInfo {
  return { id: row.id, name: row.name, role: row.role as Role, createdAt: iso(row.created_at)!, lastUsedAt: iso(row.last_used_at), revokedAt: iso(row.revoked_at) };
}

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9 ._@()-]{0,63}$/.test(name)) throw new TokenError('name: 1–64 letters, digits, spaces, dots, dashes, parentheses, @ or _');
  return name;
}

export function checkRole(role: unknown): Role {
  if (!ROLES.includes(role as Role)) throw new TokenError(`role: expected ${ROLES.join(' or ')}`);
  return role as Role;
}

export async function listTokens(store: Store): Promise<TokenInfo[]> {
  const rows = await store.query<TokenRow>('SELECT * FROM access_tokens ORDER BY created_at, name');
  return rows.map(info);
}

/** Creates a token; returns it in clear (the only time) with its listing. */
export async function createToken(store: Store, name: string, role: Role, now = Date.now(), token = newToken()): Promise<{ token: string; info: TokenInfo }> {
  checkName(name);
  checkRole(role);
  const active = await store.query<{ n: number }>('SELECT COUNT(*) AS n FROM access_tokens WHERE name = ? AND revoked_at IS NULL', [name]);
  if (Number(active[0]?.n) > 0) throw new TokenError(`a token named "${name}" exists; revoke it first or choose another name`);
  const row: TokenRow = { id: randomUUID(), name, role, hash: hashToken(token), created_at: now, last_used_at: null, revoked_at: null };
  await store.addToken(row);
  return { token, info: info(row) };
}

/** Revokes by id or by name (the active token of that name). */
export async function revokeToken(store: Store, idOrName: string, now = Date.now()): Promise<TokenInfo> {
  const rows = await store.query<TokenRow>('SELECT * FROM access_tokens WHERE (id = ? OR name = ?) AND revoked_at IS NULL', [idOrName, idOrName]);
  if (rows.length === 0) throw new TokenError(`no active token "${idOrName}"`);
  if (rows.length > 1) throw new TokenError(`"${idOrName}" names more than one token; use its id`);
  await store.revokeToken(rows[0]!.id, now);
  return info({ ...rows[0]!, revoked_at: now });
}

/** The active token with this value, or null. */
export async function findToken(store: Store, token: string): Promise<TokenRow | null> {
  const rows = await store.query<TokenRow>('SELECT * FROM access_tokens WHERE hash = ? AND revoked_at IS NULL', [hashToken(token)]);
  return rows[0] ?? null;
}

export const BOOTSTRAP_NAME = 'admin (ONRAMP_ADMIN_TOKEN)';
export const GENERATED_NAME = 'admin (generated at first start)';

export interface Bootstrap {
  /** A generated admin token, to print once. */
  generated?: string;
  /** Something the operator should know. */
  note?: string;
}

/**
 * The first admin. With ONRAMP_ADMIN_TOKEN: that token is an active admin (a changed value
 * replaces the previous one; a revoked one stays revoked). Without: when no admin token is
 * active, one is generated and returned, to print once; it is stored hashed, so it survives
 * restarts.
 */
export async function bootstrapAdmin(store: Store, envToken: string | undefined, now = Date.now()): Promise<Bootstrap> {
  if (envToken) {
    const same = await store.query<TokenRow>('SELECT * FROM access_tokens WHERE hash = ?', [hashToken(envToken)]);
    if (same[0]?.revoked_at) return { note: 'ONRAMP_ADMIN_TOKEN was revoked and stays refused; set a new value to bootstrap another admin.' };
    if (same[0]) return {};
    const old = await store.query<TokenRow>('SELECT * FROM access_tokens WHERE name = ? AND revoked_at IS NULL', [BOOTSTRAP_NAME]);
    for (const row of old) await store.revokeToken(row.id, now);
    await createToken(store, BOOTSTRAP_NAME, 'admin', now, envToken);
    return {};
  }
  const admins = await store.query<{ n: number }>("SELECT COUNT(*) AS n FROM access_tokens WHERE role = 'admin' AND revoked_at IS NULL");
  if (Number(admins[0]?.n) > 0) return {};
  return { generated: (await createToken(store, GENERATED_NAME, 'admin', now)).token };
}
