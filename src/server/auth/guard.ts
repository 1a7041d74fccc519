/**
 * Checking a request's bearer token against the store: 401 for a missing, unknown or revoked
 * token, 403 for a role that may not do this, 429 when a client keeps sending wrong tokens or a
 * token sends too many requests. Returns who is asking.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../http.ts';
import { RateLimiter } from '../feedback/guard.ts';
import type { Store } from '../store/index.ts';
import type { TokenRow } from '../store/types.ts';
import { allows, findToken, type Role } from './tokens.ts';

export interface AuthOptions {
  /** Requests per minute per token (0: no limit). */
  perToken?: number;
  /** Wrong tokens per minute per client before it is made to wait. */
  failuresPerClient?: number;
  now?: () => number;
}

export class Authenticator {
  private readonly store: Store;
  private readonly perToken: RateLimiter;
  private readonly failures: RateLimiter;
  private readonly touched = new Map<string, number>();
  private readonly now: () => number;

  constructor(store: Store, options: AuthOptions = {}) {
    this.store = store;
    this.now = options.now ?? Date.now;
    this.perToken = new RateLimiter(options.perToken ?? 600, this.now);
    this.failures = new RateLimiter(options.failuresPerClient ?? 30, this.now);
  }

  /** The token of an allowed request; throws an HttpError otherwise. `client` is the rate-limit key of the caller. */
  async require(req: IncomingMessage, role: Role, client: string): Promise<TokenRow> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const row = match ? await findToken(this.store, match[1]!) : null;
    if (!row) {
      const wait = this.failures.take(`fail:${client}`);
      if (wait > 0) throw new HttpError(429, `too many wrong tokens from this client; retry in ${wait} s`);
      throw new HttpError(401, match ? 'the token is not valid (unknown or revoked)' : `send Authorization: Bearer <${role} token>`);
    }
    if (!allows(row.role, role)) throw new HttpError(403, `the token "${row.name}" has the role ${row.role}; this needs ${role}`);
    const wait = this.perToken.take(row.id);
    if (wait > 0) throw new HttpError(429, `too many requests with this token; retry in ${wait} s`);
    const now = this.now();
    if (now - (this.touched.get(row.id) ?? 0) > 60_000) {
      this.touched.set(row.id, now);
      await this.store.touchToken(row.id, now).catch(() => {});
    }
    return row;
  }
}
