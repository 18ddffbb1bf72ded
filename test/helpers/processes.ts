import {
  type ChildHandle,
  HERALD_ROOT,
  type SandboxProcess,
  startSandboxProcess,
} from '../../src/local/herald-processes.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from './stack.js';

export {
  HERALD_BIN,
  spawnNode,
  startWorkerProcess,
  WORKER_ENTRY,
  type SandboxProcess,
  type WorkerProcess,
} from '../../src/local/herald-processes.js';

export const ROOT = HERALD_ROOT;
export type RunningProcess = ChildHandle;

/** `herald sandbox` in its own process, accepting the test account. */
export function startTestSandboxProcess(
  options: { latencyMs?: number; flags?: string[]; tls?: { caFile: string } } = {},
): Promise<SandboxProcess> {
  return startSandboxProcess({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN, ...options });
}

/** Sum of a counter's samples whose labels match, read from a worker's /metrics. */
export async function readCounter(
  metricsPort: number,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
      sum += Number(line.split(' ').at(-1));
  }
  return sum;
}
