/**
 * Token management over HTTP (admin only), and who-am-I for any role:
 *   GET    /api/tokens             → { tokens: [{ id, name, role, createdAt, lastUsedAt, revokedAt }] } (never a token)
 *   POST   /api/tokens             { name, role } → 201 { token, ...info } (the token, shown this once)
 *   DELETE /api/tokens/:id         → the revoked token's info
 *   GET    /api/auth/me            → { name, role }
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from '../app.ts';
import { HttpError, sendJson } from '../http.ts';
import { readJson } from '../feedback/guard.ts';
import type { Store } from '../store/index.ts';
import type { TokenRow } from '../store/types.ts';
import { checkName, checkRole, createToken, listTokens, revokeToken, TokenError, type Role } from './tokens.ts';

export type Guard = (req: IncomingMessage, res: ServerResponse, role: Role) => Promise<TokenRow>;

async function asHttp<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof TokenError) throw new HttpError(400, error.message);
    throw error;
  }
}

export function tokenRoutes(store: Store, guard: Guard): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/tokens',
      async handler(req, res) {
        await guard(req, res, 'admin');
        sendJson(res, 200, { tokens: await listTokens(store) });
      },
    },
    {
      method: 'POST',
      path: '/api/tokens',
      async handler(req, res) {
        const who = await guard(req, res, 'admin');
        const body = (await readJson(req, 4096, false)) as { name?: unknown; role?: unknown };
        const name = await asHttp(Promise.resolve().then(() => checkName(body.name)));
        const role = await asHttp(Promise.resolve().then(() => checkRole(body.role)));
        const made = await asHttp(createToken(store, name, role));
        console.log(`[onramp] token "${name}" (${role}) created by "${who.name}"`);
        sendJson(res, 201, { token: made.token, ...made.info });
      },
    },
    {
      method: 'DELETE',
      path: '/api/tokens/:id',
      async handler(req, res, _url, params) {
        const who = await guard(req, res, 'admin');
        const revoked = await asHttp(revokeToken(store, params.id ?? ''));
        console.log(`[onramp] token "${revoked.name}" revoked by "${who.name}"`);
        sendJson(res, 200, revoked);
      },
    },
    {
      method: 'GET',
      path: '/api/auth/me',
      async handler(req, res) {
        const who = await guard(req, res, 'instructor');
        sendJson(res, 200, { name: who.name, role: who.role });
      },
    },
  ];
}
