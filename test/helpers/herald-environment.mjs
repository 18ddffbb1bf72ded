// Plain JavaScript: jest loads its test environment outside the test's module registry, so this imports the
// compiled modules (`npm test` builds first).
import { readdirSync, readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { Redis } from 'ioredis';
import { TestEnvironment } from 'jest-environment-node';

import { startLocalRedis } from '../../dist/src/local/redis-server.js';

/** How long what a test file stopped may take to be gone (a SIGKILLed worker, a socket closing) before it is a leak. */
const LEAK_GRACE_MS = 5000;

/**
 * Node's environment plus two things for every test file outside test/unit: a private redis-server (its URL in
 * HERALD_TEST_REDIS_URL, so files never see each other's keys, clients or load), and after the file a leak check.
 * A file must leave nothing behind: no client of its redis-server (a BullMQ Worker, Queue or QueueEvents, an ioredis
 * connection, a worker process) and no child process still running (a worker, a sandbox, a redis-server of its
 * own). A leak fails the file with a list of what was left, and leftover children are killed so the run goes on.
 */
export default class HeraldEnvironment extends TestEnvironment {
  #testPath;
  #redis;
  #childrenBefore = new Set();

  constructor(config, context) {
    super(config, context);
    this.#testPath = context.testPath;
  }

  async setup() {
    await super.setup();
    this.#childrenBefore = new Set(liveChildren().map((child) => child.pid));
    if (!this.#testPath.includes(`${sep}test${sep}unit${sep}`)) {
      this.#redis = await startLocalRedis();
      this.global.process.env.HERALD_TEST_REDIS_URL = this.#redis.url;
    }
  }

  /**
   * Once the file's tests and hooks have all run (and before its results are made), a leak is added to them as an
   * error of the file, beside the results of its tests; leftover children are killed so that the run goes on.
   */
  async handleTestEvent(event, state) {
    if (event.name !== 'run_finish') return;
    const leaks = await this.#waitForLeaksToGo();
    if (leaks.length === 0) return;
    for (const leak of leaks) if (leak.pid !== undefined) process.kill(leak.pid, 'SIGKILL');
    const list = leaks.map((leak) => `  ${leak.text}`).join('\n');
    state.unhandledErrors.push(new Error(`the test file left ${leaks.length} thing(s) open:\n${list}`));
  }

  async teardown() {
    await this.#redis?.stop();
    await super.teardown();
  }

  async #waitForLeaksToGo() {
    const deadline = Date.now() + LEAK_GRACE_MS;
    for (;;) {
      const leaks = [...(await this.#clientsLeft()), ...this.#childrenLeft()];
      if (leaks.length === 0 || Date.now() >= deadline) return leaks;
      await sleep(50);
    }
  }

  #childrenLeft() {
    const own = this.#redis?.process.pid;
    return liveChildren()
      .filter((child) => child.pid !== own && !this.#childrenBefore.has(child.pid))
      .map((child) => ({ pid: child.pid, text: `child process ${child.pid}: ${child.command}` }));
  }

  /** Clients of the file's redis-server other than this check's own connection, by CLIENT LIST. */
  async #clientsLeft() {
    if (this.#redis === undefined || this.#redis.process.exitCode !== null) return [];
    const client = new Redis(this.#redis.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await client.connect();
      const [own, list] = await Promise.all([client.client('ID'), client.client('LIST')]);
      return String(list)
        .trim()
        .split('\n')
        .map((line) => Object.fromEntries(line.split(' ').map((field) => field.split(/=(.*)/s).slice(0, 2))))
        .filter((fields) => Number(fields.id) !== own)
        .map((fields) => ({
          text: `a Redis client${fields.name ? ` named ${fields.name}` : ''}, connected ${fields.age} s, last command ${fields.cmd}`,
        }));
    } catch {
      // A server the test file stopped or killed has no clients left.
      return [];
    } finally {
      client.disconnect();
    }
  }
}

/** Child processes of this process that have not exited (a zombie has exited; it only waits to be reaped). */
function liveChildren() {
  const children = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid …; comm may hold spaces and parentheses, so fields are read after its last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) !== process.pid || state === 'Z') continue;
    let command = '';
    try {
      command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      // exited meanwhile
    }
    children.push({ pid: Number(entry), command });
  }
  return children;
}
