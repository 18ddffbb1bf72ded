import { HeraldError } from '../lib/herald-error.js';

/** The file or its header cannot be used at all, or the ingest stopped; one readable line. */
export class IngestError extends HeraldError {
  override name = 'IngestError';
}
