/**
 * An error whose message is one line a user can act on (a bad file, a bad setting, an unreachable Redis). The CLI
 * and worker entry points print it as `herald: <message>`; anything else is a bug and is reported as such.
 */
export class HeraldError extends Error {
  /** Process exit code when this error ends a command: 1 for a problem with the world, 2 for a bad argument. */
  readonly exitCode: 1 | 2 = 1;
}
