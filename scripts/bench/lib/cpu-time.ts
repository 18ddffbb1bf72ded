import { readFileSync } from 'node:fs';

import type { Redis } from 'ioredis';

/** The kernel's unit for a process's CPU times in /proc (USER_HZ), 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) a running process has used so far, from /proc/<pid>/stat (Linux); undefined where
 * that cannot be read (another OS, the process gone). Unlike GNU time, this reads a process that is still running,
 * so a phase in the middle of its life can be measured.
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name, field 2, may hold spaces; the fields after its closing parenthesis start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const user = Number(fields[11]);
    const system = Number(fields[12]);
    return Number.isFinite(user) && Number.isFinite(system) ? (user + system) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** What Redis has done so far, as INFO reports it. */
export interface RedisWork {
  /** CPU seconds, user + system. */
  cpuSeconds: number;
  /** Commands it ran, those run inside scripts included (Redis 7 counts both). */
  commands: number;
  /** Reads from client sockets: a pipeline read in one go counts once. */
  reads: number;
}

export async function redisWork(connection: Redis): Promise<RedisWork> {
  const info = await connection.info();
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return {
    cpuSeconds: field('used_cpu_user') + field('used_cpu_sys'),
    commands: field('total_commands_processed'),
    reads: field('total_reads_processed'),
  };
}

/** CPU seconds used so far by each part of a send run, and Redis's commands and reads. */
export interface CpuSnapshot {
  /** The sending processes together; undefined when one of them could not be read. */
  workers: number | undefined;
  redis: RedisWork;
  /** The sandbox answering them. */
  sandbox: number | undefined;
}

/**
 * CPU microseconds per message spent by each part between two snapshots over which `messages` were sent, and Redis's
 * commands and socket reads per message.
 */
export interface CpuPerMessage {
  workers: number | undefined;
  redis: number;
  sandbox: number | undefined;
  redisCommands: number;
  redisReads: number;
}

export async function snapshotCpu(
  connection: Redis,
  workerPids: readonly (number | undefined)[],
  sandboxPid: number | undefined,
): Promise<CpuSnapshot> {
  const perWorker = workerPids.map(processCpuSeconds);
  const workers = perWorker.includes(undefined)
    ? undefined
    : perWorker.reduce<number>((sum, seconds) => sum + (seconds ?? 0), 0);
  return { workers, redis: await redisWork(connection), sandbox: processCpuSeconds(sandboxPid) };
}

export function cpuPerMessage(from: CpuSnapshot, to: CpuSnapshot, messages: number): CpuPerMessage {
  const micros = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : ((b - a) * 1e6) / messages;
  return {
    workers: micros(from.workers, to.workers),
    redis: ((to.redis.cpuSeconds - from.redis.cpuSeconds) * 1e6) / messages,
    sandbox: micros(from.sandbox, to.sandbox),
    redisCommands: (to.redis.commands - from.redis.commands) / messages,
    redisReads: (to.redis.reads - from.redis.reads) / messages,
  };
}
