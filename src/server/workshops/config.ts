/** Configuration of workshops, read from the environment once. */
import { ConfigError } from '../config.ts';

export interface WorkshopConfig {
  /** ONRAMP_WORKSHOP_RETENTION_DAYS: participants' names are deleted this long after a workshop ends. */
  retentionMs: number;
}

export function readWorkshopConfig(env: NodeJS.ProcessEnv = process.env): WorkshopConfig {
  const raw = env.ONRAMP_WORKSHOP_RETENTION_DAYS;
  const days = raw === undefined || raw === '' ? 30 : Number(raw);
  if (!Number.isFinite(days) || days < 0 || days > 3650) {
    throw new ConfigError(`ONRAMP_WORKSHOP_RETENTION_DAYS=${raw} is not valid: expected days from 0 to 3650 (fractions allowed).`);
  }
  return { retentionMs: Math.round(days * 86_400_000) };
}
