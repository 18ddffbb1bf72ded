import { HeraldError } from '../lib/herald-error.js';
/** A bad argument: reported as one line, exit code 2. */
export class UsageError extends HeraldError {
  override name = 'UsageError';
  override readonly exitCode = 2;
}
