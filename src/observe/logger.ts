import { format } from 'node:util';

import { pino } from 'pino';

import { makeRedactor, redactUrlCredentials } from './redact.js';

export type Logger = pino.Logger;
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Paths that could carry a credential, censored by pino before a line is written. herald never logs raw SDK, axios
 * or ioredis errors (see describeError), so these are the second line of defence, and the secret values themselves
 * (LoggerOptions.secrets) the third.
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
  // ioredis errors carry the command that failed, AUTH and HELLO with their password among its args.
  'command.args',
  '*.command.args',
  'args',
  '*.args',
];

export interface LoggerOptions {
  level: LogLevel;
  name: string;
  /** Pretty, colourised lines instead of JSON; the default is to do so only when stdout is a terminal. */
  pretty?: boolean;
  /** Where JSON lines go (tests capture them); default stdout. */
  destination?: pino.DestinationStream;
  /**
   * Values never to write (an auth token, Redis passwords: see secretValuesOf): every line is searched for them, in
   * each form they take in a URL or a JSON string, as is any URL's user-info, and they are replaced by
   * `[redacted]` whichever field or message carried them.
   */
  secrets?: readonly string[];
}

export function createLogger(options: LoggerOptions): Logger {
  const redact = makeRedactor(options.secrets ?? []);
  const base = {
    level: options.level,
    name: options.name,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: { streamWrite: redact },
  };
  if (options.destination !== undefined) return pino(base, options.destination);
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  return pretty ? pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } }) : pino(base);
}

/**
 * The parts of an error that are safe to log: never its config, headers, request or command, which may hold
 * credentials; and its message without the user-info of any URL in it.
 */
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
    message: redactUrlCredentials(error.message),
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(typeof status === 'number' ? { status } : {}),
  };
}

/** An error as its name and message only: printed whole it would show its command's arguments. */
function safeArgument(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const { name, message } = describeError(value);
  return `${name}: ${message}`;
}

/**
 * Makes everything a library prints with `console` (BullMQ prints an error that no listener took) and every process
 * warning a JSON line of this logger, redacted like the rest, so that a worker's output holds nothing else.
 */
export function routeConsoleToLog(logger: Logger): void {
  const line =
    (level: 'info' | 'warn' | 'error' | 'debug') =>
    (...args: unknown[]) =>
      logger[level]({ source: 'console' }, redactUrlCredentials(format(...args.map(safeArgument))));
  console.log = line('info');
  console.info = line('info');
  console.warn = line('warn');
  console.error = line('error');
  console.debug = line('debug');
  // Node's own listener prints warnings to stderr; this one logs them instead.
  process.removeAllListeners('warning');
  process.on('warning', (warning) =>
    logger.warn({ source: 'process', warning: warning.name }, redactUrlCredentials(warning.message)),
  );
}
