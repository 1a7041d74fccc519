/** Configuration of workshops, read from the environment once. */
import { ConfigError } from '../config.ts';

export interface WorkshopConfig {
  /** ONRAMP_WORKSHOP_RETENTION_DAYS: participants' names are deleted this long after a workshop ends. */
  retentionMs: number;
  /** ONRAMP_WORKSHOP_MAX_ROOMS: workshops kept in memory at once (the rest are read from the store when asked). */
  maxRooms: number;
  /** ONRAMP_WORKSHOP_GRACE_MINUTES: an ended workshop stays in memory this long, for its board and report to be read. */
  endedGraceMs: number;
}

function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, what: string, integer: boolean): number {
  const raw = env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new ConfigError(`${name}=${raw} is not valid: expected ${what} from ${min} to ${max}${integer ? '' : ' (fractions allowed)'}.`);
  }
  return value;
}

export function readWorkshopConfig(env: NodeJS.ProcessEnv = process.env): WorkshopConfig {
  const days = numberFrom(env, 'ONRAMP_WORKSHOP_RETENTION_DAYS', 30, 0, 3650, 'days', false);
  const maxRooms = numberFrom(env, 'ONRAMP_WORKSHOP_MAX_ROOMS', 100, 1, 100_000, 'a number of workshops', true);
  const grace = numberFrom(env, 'ONRAMP_WORKSHOP_GRACE_MINUTES', 30, 0, 7 * 24 * 60, 'minutes', false);
  return { retentionMs: Math.round(days * 86_400_000), maxRooms, endedGraceMs: Math.round(grace * 60_000) };
}
