/** Configuration of the feedback, events and insights part, read from the environment once. */
import { ConfigError } from '../config.ts';
import { storeConfig, type StoreConfig } from '../store/index.ts';

export interface FeedbackConfig {
  store: StoreConfig;
  /** ONRAMP_ADMIN_TOKEN: bootstraps the first admin (without it, one is generated once and stored hashed). */
  adminToken?: string;
  /** Requests per minute per access token; 0 turns the limit off. */
  tokenRateLimit: number;
  /** Requests per minute per client key on these endpoints; 0 turns the limit off. */
  rateLimit: number;
  allowedOrigins: Set<string>;
  /** Read the client address from X-Forwarded-For (only behind a proxy you run). */
  trustProxy: boolean;
}

export function readFeedbackConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): FeedbackConfig {
  const rawLimit = env.ONRAMP_RATE_LIMIT;
  let rateLimit = 600;
  if (rawLimit !== undefined && rawLimit !== '') {
    rateLimit = Number(rawLimit);
    if (!Number.isInteger(rateLimit) || rateLimit < 0 || rateLimit > 1_000_000) {
      throw new ConfigError(`ONRAMP_RATE_LIMIT=${rawLimit} is not valid: expected requests per minute, an integer from 0 (off) to 1000000.`);
    }
  }
  const rawPerToken = env.ONRAMP_TOKEN_RATE_LIMIT;
  const perToken = rawPerToken === undefined || rawPerToken === '' ? 600 : Number(rawPerToken);
  if (!Number.isInteger(perToken) || perToken < 0 || perToken > 1_000_000) {
    throw new ConfigError(`ONRAMP_TOKEN_RATE_LIMIT=${rawPerToken} is not valid: expected requests per minute per token, an integer from 0 (off) to 1000000.`);
  }
  const origins = new Set<string>();
  for (const raw of (env.ONRAMP_ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    let origin: string;
    try {
      origin = new URL(raw).origin;
    } catch {
      throw new ConfigError(`ONRAMP_ALLOWED_ORIGINS: "${raw}" is not an origin such as https://docs.example.com.`);
    }
    if (origin === 'null') throw new ConfigError(`ONRAMP_ALLOWED_ORIGINS: "${raw}" is not an http(s) origin.`);
    origins.add(origin);
  }
  const sync = env.ONRAMP_SQLITE_SYNC;
  if (sync && sync !== 'full' && sync !== 'normal') throw new ConfigError(`ONRAMP_SQLITE_SYNC=${sync} is not valid: expected full or normal.`);
  const token = env.ONRAMP_ADMIN_TOKEN?.trim();
  if (token !== undefined && token !== '' && token.length < 16) throw new ConfigError('ONRAMP_ADMIN_TOKEN is too short: use at least 16 characters (e.g. openssl rand -hex 24).');
  return {
    store: storeConfig(env, cwd),
    adminToken: token || undefined,
    tokenRateLimit: perToken,
    rateLimit,
    allowedOrigins: origins,
    trustProxy: env.ONRAMP_TRUST_PROXY === '1' || env.ONRAMP_TRUST_PROXY === 'true',
  };
}
