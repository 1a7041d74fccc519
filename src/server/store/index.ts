/** Opens the store the environment asks for: PostgreSQL when DATABASE_URL is set, else SQLite. */
import { resolve } from 'node:path';
import { openPostgresStore } from './postgres.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './types.ts';

export type { Store } from './types.ts';

export interface StoreConfig {
  databaseUrl?: string;
  sqliteFile: string;
  sqliteSync: 'full' | 'normal';
}

export function storeConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): StoreConfig {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    sqliteFile: env.ONRAMP_DB === ':memory:' ? ':memory:' : resolve(cwd, env.ONRAMP_DB || '.onramp/onramp.db'),
    sqliteSync: env.ONRAMP_SQLITE_SYNC === 'normal' ? 'normal' : 'full',
  };
}

export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.databaseUrl) return openPostgresStore(config.databaseUrl);
  return openSqliteStore(config.sqliteFile, { synchronous: config.sqliteSync });
}

/** Where the data goes, for the start-up log (never prints a password). */
export function describeStore(config: StoreConfig): string {
  if (!config.databaseUrl) return `SQLite ${config.sqliteFile}`;
  try {
    const u = new URL(config.databaseUrl);
    return `PostgreSQL ${u.hostname}${u.port ? ':' + u.port : ''}${u.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}
