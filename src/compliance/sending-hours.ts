import { readFileSync } from 'node:fs';

import { z } from 'zod';

import { sourceFile } from '../lib/source-file.js';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Open from `open` to `close`, in minutes after local midnight (`close` up to 1440); null: no sends that day. */
export type DayHours = { readonly open: number; readonly close: number } | null;

/** One law's sending hours in the recipient's local time, with where the rule was read. */
export interface HoursRule {
  /** `federal`, or the state's two-letter code. */
  readonly id: string;
  readonly name: string;
  readonly source: string;
  readonly days: Readonly<Record<Weekday, DayHours>>;
}

export interface SendingHoursLaw {
  readonly federal: HoursRule;
  /** By two-letter state code. */
  readonly states: ReadonlyMap<string, HoursRule>;
}

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM in 24-hour time');
const span = z.tuple([clock, clock]).nullable();
const ruleSchema = z.object({
  name: z.string().min(1),
  source: z.string().min(1),
  hours: z.object({ all: span }).catchall(span),
});
const fileSchema = z.object({ federal: ruleSchema, states: z.record(z.string().regex(/^[A-Z]{2}$/), ruleSchema) });

const minutesOf = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3));

function toRule(id: string, rule: z.infer<typeof ruleSchema>): HoursRule {
  const unknown = Object.keys(rule.hours).filter(
    (key) => key !== 'all' && !(WEEKDAYS as readonly string[]).includes(key),
  );
  if (unknown.length > 0)
    throw new Error(`sending hours of ${id}: unknown day ${unknown.join(', ')} (use sun…sat or all)`);
  const day = (name: Weekday): DayHours => {
    const hours = rule.hours[name] === undefined ? rule.hours.all : rule.hours[name];
    if (hours === null || hours === undefined) return null;
    const [open, close] = hours.map(minutesOf) as [number, number];
    if (close <= open) throw new Error(`sending hours of ${id}: ${hours.join('-')} must close after it opens`);
    return { open, close };
  };
  const days = Object.fromEntries(WEEKDAYS.map((name) => [name, day(name)])) as Record<Weekday, DayHours>;
  return { id, name: rule.name, source: rule.source, days };
}

/** Checks and reads a sending-hours table (the shape of src/compliance/sending-hours.json). */
export function parseSendingHours(json: unknown): SendingHoursLaw {
  const file = fileSchema.parse(json);
  return {
    federal: toRule('federal', file.federal),
    states: new Map(Object.entries(file.states).map(([id, rule]) => [id, toRule(id, rule)])),
  };
}

let law: SendingHoursLaw | undefined;

/** The table herald ships, read once. */
export function sendingHoursLaw(): SendingHoursLaw {
  law ??= parseSendingHours(JSON.parse(readFileSync(sourceFile(import.meta.url, 'sending-hours.json'), 'utf8')));
  return law;
}
