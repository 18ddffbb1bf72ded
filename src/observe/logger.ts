import { pino } from 'pino';

export type Logger = pino.Logger;
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Paths that could carry a credential, censored by pino before a line is written. herald never logs raw SDK or
 * axios errors (see describeError), so these are the second line of defence, not the first.
 */
export const REDACT_PATHS = [
  'authToken',
  '*.authToken',
  'password',
  '*.password',
  'redisUrl',
  '*.redisUrl',
  'headers.authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.config.headers',
  '*.config.auth',
];

export interface LoggerOptions {
  level: LogLevel;
  name: string;
  /** Pretty, colourised lines instead of JSON; the default is to do so only when stdout is a terminal. */
  pretty?: boolean;
  /** Where JSON lines go (tests capture them); default stdout. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = { level: options.level, name: options.name, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (options.destination !== undefined) return pino(base, options.destination);
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  return pretty ? pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } }) : pino(base);
}

/** The parts of an error that are safe to log: never its config, headers or request, which may hold credentials. */
export function describeError(error: unknown): {
  name: string;
  message: string;
  code?: string | number;
  status?: number;
} {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { code, status } = error as { code?: unknown; status?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(typeof status === 'number' ? { status } : {}),
  };
}
