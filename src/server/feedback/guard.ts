/**
 * What stands in front of the feedback, events and insights endpoints: the per-client rate limit
 * (keyed by a daily-salted hash of address and user agent, never the address itself), the CORS
 * allow-list, the admin token, and a strict JSON body reader.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody } from '../http.ts';

/** Token buckets per client key; the salt changes every UTC day and lives only in memory. */
export class RateLimiter {
  private readonly perMinute: number;
  private buckets = new Map<string, { tokens: number; at: number }>();
  private salt = randomBytes(16);
  private saltDay = -1;
  private readonly now: () => number;

  constructor(perMinute: number, now: () => number = Date.now) {
    this.perMinute = perMinute;
    this.now = now;
  }

  /** The client key: sha256(daily salt, address, user agent), truncated. */
  keyOf(address: string, userAgent: string): string {
    const day = Math.floor(this.now() / 86_400_000);
    if (day !== this.saltDay) {
      this.salt = randomBytes(16);
      this.saltDay = day;
      this.buckets.clear();
    }
    return createHash('sha256').update(this.salt).update(address).update('\0').update(userAgent).digest('base64url').slice(0, 22);
  }

  private readonly byConnection = new WeakMap<object, { address: string; userAgent: string; day: number; key: string }>();

  /**
   * keyOf(), remembered per connection: the requests of a keep-alive connection hash once (a
   * SHA-256 per request was about 5% of the collector's CPU under load). The same address, user
   * agent and day give the same key, so the limit is unchanged.
   */
  keyOfConnection(connection: object, address: string, userAgent: string): string {
    const day = Math.floor(this.now() / 86_400_000);
    const known = this.byConnection.get(connection);
    if (known && known.day === day && known.day === this.saltDay && known.address === address && known.userAgent === userAgent) return known.key;
    const key = this.keyOf(address, userAgent);
    this.byConnection.set(connection, { address, userAgent, day, key });
    return key;
  }

  /** Takes one token; returns 0 when allowed, else the seconds to wait. */
  take(key: string): number {
    if (this.perMinute <= 0) return 0;
    const t = this.now();
    const rate = this.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: t };
    b.tokens = Math.min(this.perMinute, b.tokens + (t - b.at) * rate);
    b.at = t;
    this.buckets.set(key, b);
    if (this.buckets.size > 50_000) this.sweep();
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000));
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, b] of this.buckets) if (t - b.at > 120_000) this.buckets.delete(k);
  }
}

export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? '';
}

export interface CorsPolicy {
  allowed: Set<string>;
}

/**
 * Same-origin requests and requests without an Origin (curl, server-to-server) pass. A browser
 * request from another origin passes only when that origin is on the allow-list; it then gets the
 * CORS headers. Anything else is refused, so another site cannot post feedback through a reader's
 * browser (sendBeacon's text/plain needs no preflight).
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, policy: CorsPolicy): void {
  const origin = req.headers.origin;
  if (!origin) return;
  if (policy.allowed.has(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    return;
  }
  let sameOrigin = false;
  try {
    sameOrigin = new URL(origin).host === req.headers.host;
  } catch {
    sameOrigin = false;
  }
  if (!sameOrigin) throw new HttpError(403, `origin ${origin.slice(0, 200)} is not allowed; add it to ONRAMP_ALLOWED_ORIGINS`);
}

export function preflight(req: IncomingMessage, res: ServerResponse, policy: CorsPolicy, methods: string): void {
  const origin = req.headers.origin;
  if (!origin || !policy.allowed.has(origin)) throw new HttpError(403, `origin ${String(origin ?? '(none)').slice(0, 200)} is not allowed; add it to ONRAMP_ALLOWED_ORIGINS`);
  res.writeHead(204, {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': methods,
    'Access-Control-Allow-Headers': 'Content-Type, Authorization',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  });
  res.end();
}

/** Compares the bearer token in constant time (over digests, so lengths do not leak either). */
export function checkToken(req: IncomingMessage, token: string): void {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new HttpError(401, 'send Authorization: Bearer <admin token>');
  const a = createHash('sha256').update(match[1]!).digest();
  const b = createHash('sha256').update(token).digest();
  if (!timingSafeEqual(a, b)) throw new HttpError(401, 'the admin token is not valid');
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
/** Deeper than this, before field validation, is refused outright. */
const MAX_DEPTH = 8;

function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (d > max) max = d;
    if (max > MAX_DEPTH) return max;
    if (v && typeof v === 'object') for (const child of Object.values(v as object)) stack.push([child, d + 1]);
  }
  return max;
}

/**
 * Reads a JSON body: `application/json` (UTF-8) or, for the ingest endpoints, `text/plain` as
 * navigator.sendBeacon sends it. 413 over `limit`, 415 for other types or charsets, 400 for
 * invalid UTF-8, invalid JSON or nesting deeper than 8.
 */
export async function readJson(req: IncomingMessage, limit: number, allowTextPlain: boolean): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const [mime, ...params] = type.split(';').map((s) => s.trim());
  const okType = mime === 'application/json' || (allowTextPlain && mime === 'text/plain');
  if (!okType) throw new HttpError(415, `content-type must be application/json${allowTextPlain ? ' (or text/plain, as sendBeacon sends)' : ''}`);
  const charset = params.find((p) => p.startsWith('charset='))?.slice(8).replace(/"/g, '');
  if (charset && charset !== 'utf-8' && charset !== 'utf8') throw new HttpError(415, `charset must be utf-8, not ${charset.slice(0, 40)}`);
  const body = await readBody(req, limit);
  if (body.length === 0) throw new HttpError(400, 'body: empty; expected JSON');
  let text: string;
  try {
    text = fatalUtf8.decode(body);
  } catch {
    throw new HttpError(400, 'body: not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `body: not valid JSON (${(error as Error).message.slice(0, 120)})`);
  }
  if (depthOf(value) > MAX_DEPTH) throw new HttpError(400, `body: nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, 'body: expected a JSON object');
  return value;
}
