/** The service's configuration, read from the environment once. */
import { resolve } from 'node:path';

export interface ServiceConfig {
  port: number;
  host: string;
  /** Folder holding the built site. */
  siteDir: string;
}

export class ConfigError extends Error {}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${raw} is not valid: expected an integer from ${min} to ${max}.`);
  }
  return value;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ServiceConfig {
  return {
    port: intFrom(env, 'PORT', 4321, 0, 65535),
    host: env.HOST || '127.0.0.1',
    siteDir: resolve(cwd, env.ONRAMP_SITE_DIR || 'dist'),
  };
}
