import Mustache from 'mustache';

import type { MessageTemplates } from './campaign.js';

/** A Mustache template parsed once, with the variables (CSV columns) it reads. */
export interface Template {
  readonly source: string;
  /** Column names the template reads, each once, in order of first use. */
  readonly variables: readonly string[];
  /** The values a row gives the template, in the order of the names its tokens look up (`s0`, `s1`, …). */
  readonly slots: readonly Slot[];
  /** Each `{{name|text}}` tag's column and text. */
  readonly fallbacks: readonly Fallback[];
  /** Mustache's tokens with each column name replaced by its slot's name. */
  readonly tokens: Mustache.TemplateSpans;
}

/** One value the template looks up: a column's cell, or that cell with a text standing in when it is empty. */
export interface Slot {
  readonly variable: string;
  readonly fallback?: string;
}

export interface Fallback {
  readonly variable: string;
  readonly text: string;
}

export type TemplateParse = { ok: true; template: Template } | { ok: false; reason: string };

/** A campaign's {@link MessageTemplates}, each parsed, plus every column any of them reads. */
export interface ParsedTemplates {
  body: Template | undefined;
  media: readonly Template[];
  contentSid: string | undefined;
  /** Content variable key → its template, in the campaign's key order. */
  contentVariables: readonly (readonly [key: string, template: Template])[] | undefined;
  variables: ReadonlySet<string>;
  /** Variables that some tag gives a fallback for, with the first such fallback. */
  fallbacks: ReadonlyMap<string, string>;
}

export type TemplatesParse = { ok: true; templates: ParsedTemplates } | { ok: false; reason: string };

// Explicit tags so that a caller changing the global `Mustache.tags` cannot change how herald reads a campaign.
const TAGS: Mustache.OpeningAndClosingTags = ['{{', '}}'];
// Messages are plain text: Mustache's default HTML escaping would turn `Tom & Jerry` into `Tom &amp; Jerry`.
const RENDER_OPTIONS: Mustache.RenderOptions = { escape: (value: unknown) => String(value) };
const renderer = new Mustache.Writer();
/** Separates a variable from the text that stands in for it when its cell is empty: `{{first_name|there}}`. */
const FALLBACK = '|';

/**
 * Parses a template and lists the columns it reads, from `{{x}}`, `{{{x}}}`, `{{&x}}`, sections `{{#x}}` and
 * inverted sections `{{^x}}`; a dotted name reads the column named by its first segment. `{{x|text}}` reads `x`
 * and renders `text` when its cell is empty (or only spaces). Partials are refused because a campaign has nowhere
 * to define them, so `{{> x}}` could only be a typo that renders empty.
 *
 * Mustache looks a name up on the view with `in`, which sees the prototype too, and caches what it found on a
 * plain object whose own `hasOwnProperty` it then calls. So the tokens never look up a column's name: each is
 * replaced by a slot name (`s0`, `s1`, …) that {@link renderTemplate} fills from the row, and a column named
 * `__proto__`, `constructor` or `hasOwnProperty` renders its cell like any other.
 */
export function parseTemplate(source: string): TemplateParse {
  let parsed: Mustache.TemplateSpans;
  try {
    parsed = Mustache.parse(source, TAGS);
  } catch (error) {
    return { ok: false, reason: describeParseError(error) };
  }
  const found: Found = { variables: new Set(), slots: [], fallbacks: [] };
  const tokens = rewriteTokens(parsed, found);
  if (typeof tokens === 'string') return { ok: false, reason: tokens };
  const { variables, slots, fallbacks } = found;
  return { ok: true, template: { source, variables: [...variables], slots, fallbacks, tokens } };
}

/**
 * Renders a parsed template with a row's variables, without HTML escaping. It walks the tokens parsed by
 * {@link parseTemplate} instead of calling `Mustache.render`, which looks the source up in Mustache's global
 * cache on every call and parses it again whenever someone has turned that cache off. Only a variable's own
 * value is read: a name missing from `vars` renders empty, never something `vars` inherits.
 */
export function renderTemplate(template: Template, vars: Readonly<Record<string, string>>): string {
  const view: Record<string, string> = {};
  for (const [index, { variable, fallback }] of template.slots.entries()) {
    const value = Object.hasOwn(vars, variable) ? vars[variable]! : '';
    view[`s${index}`] = fallback !== undefined && value.trim() === '' ? fallback : value;
  }
  // @types/mustache declares tokens as string[][] here, but they are the TemplateSpans that parse returned.
  const tokens = template.tokens as unknown as string[][];
  return renderer.renderTokens(tokens, new Mustache.Context(view), undefined, template.source, RENDER_OPTIONS);
}

/**
 * A row's values for the template variables, on an object with no prototype, so that a column named `__proto__`
 * is a value like any other instead of the object's prototype. A cell of only spaces is empty.
 */
export function makeTemplateVars(entries: Iterable<readonly [name: string, value: string]>): Record<string, string> {
  const vars = Object.create(null) as Record<string, string>;
  for (const [name, value] of entries) vars[name] = value.trim() === '' ? '' : value;
  return vars;
}

/**
 * Parses every template of a campaign once: the producer does it once per file and the worker once per
 * campaign it loads, and both then render rows from the result. A failure names the template at fault.
 */
export function parseMessageTemplates(templates: MessageTemplates): TemplatesParse {
  const variables = new Set<string>();
  const fallbacks = new Map<string, string>();
  const parseOne = (label: string, source: string): TemplateParse => {
    const parsed = parseTemplate(source);
    if (!parsed.ok) return { ok: false, reason: `${label}: ${parsed.reason}` };
    for (const name of parsed.template.variables) variables.add(name);
    for (const { variable, text } of parsed.template.fallbacks)
      if (!fallbacks.has(variable)) fallbacks.set(variable, text);
    return parsed;
  };

  let body: Template | undefined;
  if (templates.body !== undefined) {
    const parsed = parseOne('body template', templates.body);
    if (!parsed.ok) return parsed;
    body = parsed.template;
  }
  const media: Template[] = [];
  for (const [index, source] of templates.media.entries()) {
    const parsed = parseOne(`media template ${index + 1}`, source);
    if (!parsed.ok) return parsed;
    media.push(parsed.template);
  }
  let contentVariables: (readonly [string, Template])[] | undefined;
  if (templates.contentVariables !== undefined) {
    contentVariables = [];
    for (const [key, source] of Object.entries(templates.contentVariables)) {
      const parsed = parseOne(`content variable "${key}"`, source);
      if (!parsed.ok) return parsed;
      contentVariables.push([key, parsed.template]);
    }
  }
  return {
    ok: true,
    templates: { body, media, contentSid: templates.contentSid, contentVariables, variables, fallbacks },
  };
}

interface Found {
  variables: Set<string>;
  slots: Slot[];
  fallbacks: Fallback[];
}

/**
 * A copy of `tokens` (Mustache caches the ones it parsed) with each column name replaced by its slot's, while the
 * columns, slots and fallbacks are added to `into`; or why the template cannot be used.
 */
function rewriteTokens(tokens: Mustache.TemplateSpans, into: Found): Mustache.TemplateSpans | string {
  const rewritten: Mustache.TemplateSpans = [];
  for (const token of tokens) {
    const [type, name] = token;
    if (type === '>') return `partials are not supported ({{> ${name}}})`;
    // `{{.}}` is the current section value, not a column.
    if ((type !== 'name' && type !== '&' && type !== '#' && type !== '^') || name === '.') {
      rewritten.push(token);
      continue;
    }
    const copy = [...token] as typeof token;
    const bar = name.indexOf(FALLBACK);
    if (bar >= 0) {
      const variable = name.slice(0, bar).trim();
      if (type === '#' || type === '^') {
        return `a fallback works in a tag ({{name|text}}), not in a section ({{${type}${name}}})`;
      }
      if (variable === '' || variable.includes('.')) return `a fallback needs a column name before the | ({{${name}}})`;
      const text = name.slice(bar + 1).trim();
      into.variables.add(variable);
      into.fallbacks.push({ variable, text });
      copy[1] = slotOf(into, { variable, fallback: text });
    } else {
      const dot = name.indexOf('.');
      const variable = dot > 0 ? name.slice(0, dot) : name;
      into.variables.add(variable);
      copy[1] = slotOf(into, { variable }) + (dot > 0 ? name.slice(dot) : '');
    }
    const children = token[4];
    if (Array.isArray(children)) {
      const inner = rewriteTokens(children as Mustache.TemplateSpans, into);
      if (typeof inner === 'string') return inner;
      copy[4] = inner as unknown as (typeof copy)[4];
    }
    rewritten.push(copy);
  }
  return rewritten;
}

/** The name of the slot holding `slot`'s value, added if the template had none yet. */
function slotOf(into: Found, slot: Slot): string {
  let index = into.slots.findIndex((known) => known.variable === slot.variable && known.fallback === slot.fallback);
  if (index < 0) index = into.slots.push(slot) - 1;
  return `s${index}`;
}

/** Mustache throws plain Errors such as `Unclosed section "x" at 12`; keep the text, lower-case its start. */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.charAt(0).toLowerCase() + message.slice(1);
}
