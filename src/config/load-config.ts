import {
  type ConfigOf,
  LOG_SETTINGS,
  REDIS_SETTINGS,
  type Settings,
  TWILIO_SETTINGS,
  WORKER_SETTINGS,
} from './settings.js';
import { HeraldError } from '../lib/herald-error.js';

/** A configuration problem, worded as one line that names the variable and never its value. */
export class ConfigError extends HeraldError {
  override name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

/** Parses one group of settings from the environment, all problems at once, into a frozen object. */
export function parseSettings<S extends Settings>(settings: S, env: Env): ConfigOf<S> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, setting] of Object.entries(settings)) {
    // An empty variable means unset, as in compose files that pass `${VAR-}` through: the default applies.
    const given = env[setting.env];
    const raw = given === undefined || given === '' ? setting.default : given;
    const parsed = setting.schema.safeParse(raw);
    if (parsed.success) values[key] = parsed.data;
    else if (raw === undefined) problems.push(`${setting.env} is not set (${setting.help})`);
    else problems.push(`${setting.env} ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  }
  if (problems.length > 0) throw new ConfigError(`config: ${problems.join('; ')}`);
  return Object.freeze(values) as ConfigOf<S>;
}

export type RedisConfig = ConfigOf<typeof REDIS_SETTINGS>;
export type TwilioConfig = ConfigOf<typeof TWILIO_SETTINGS>;

type Groups = Record<string, Settings>;
type ConfigOfGroups<G extends Groups> = { readonly [K in keyof G]: ConfigOf<G[K]> };

/** Parses several groups of settings, reporting every problem of every group in one ConfigError. */
export function loadConfig<G extends Groups>(env: Env, groups: G): ConfigOfGroups<G> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, settings] of Object.entries(groups)) {
    try {
      out[name] = parseSettings(settings, env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message.replace(/^config: /, ''));
    }
  }
  if (problems.length > 0) throw new ConfigError(`config: ${problems.join('; ')}`);
  return Object.freeze(out) as ConfigOfGroups<G>;
}

export const WORKER_GROUPS = {
  redis: REDIS_SETTINGS,
  twilio: TWILIO_SETTINGS,
  worker: WORKER_SETTINGS,
  log: LOG_SETTINGS,
};
export const CLIENT_GROUPS = { redis: REDIS_SETTINGS, log: LOG_SETTINGS };

export type SenderWorkerConfig = ConfigOfGroups<typeof WORKER_GROUPS>;
export type ClientConfig = ConfigOfGroups<typeof CLIENT_GROUPS>;

/** Everything a sending worker needs. */
export function loadWorkerConfig(env: Env): SenderWorkerConfig {
  return loadConfig(env, WORKER_GROUPS);
}

/** What `herald send --test-to` needs to send its few messages straight to Twilio. */
export function loadTwilioConfig(env: Env): ConfigOf<typeof TWILIO_SETTINGS> {
  return loadConfig(env, { twilio: TWILIO_SETTINGS }).twilio;
}

/** What commands that only talk to Redis (send, status) need. */
export function loadClientConfig(env: Env): ClientConfig {
  return loadConfig(env, CLIENT_GROUPS);
}
