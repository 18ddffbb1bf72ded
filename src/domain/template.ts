import Mustache from 'mustache';

import type { MessageTemplates } from './campaign.js';

/** A Mustache template parsed once, with the variables (CSV columns) it reads. */
export interface Template {
  readonly source: string;
  /** Column names the template reads, each once, in order of first use. */
  readonly variables: readonly string[];
  readonly tokens: Mustache.TemplateSpans;
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
}

export type TemplatesParse = { ok: true; templates: ParsedTemplates } | { ok: false; reason: string };

// Explicit tags so that a caller changing the global `Mustache.tags` cannot change how herald reads a campaign.
const TAGS: Mustache.OpeningAndClosingTags = ['{{', '}}'];
// Messages are plain text: Mustache's default HTML escaping would turn `Tom & Jerry` into `Tom &amp; Jerry`.
const RENDER_OPTIONS: Mustache.RenderOptions = { escape: (value: unknown) => String(value) };
const renderer = new Mustache.Writer();

/**
 * Parses a template and lists the columns it reads, from `{{x}}`, `{{{x}}}`, `{{&x}}`, sections `{{#x}}` and
 * inverted sections `{{^x}}`; a dotted name reads the column named by its first segment. Partials are
 * refused because a campaign has nowhere to define them, so `{{> x}}` could only be a typo that renders empty.
 */
export function parseTemplate(source: string): TemplateParse {
  let tokens: Mustache.TemplateSpans;
  try {
    tokens = Mustache.parse(source, TAGS);
  } catch (error) {
    return { ok: false, reason: describeParseError(error) };
  }
  const variables = new Set<string>();
  const partial = collectVariables(tokens, variables);
  if (partial !== undefined) return { ok: false, reason: `partials are not supported ({{> ${partial}}})` };
  return { ok: true, template: { source, variables: [...variables], tokens } };
}

/**
 * Renders a parsed template with a row's variables, without HTML escaping. It walks the tokens parsed by
 * {@link parseTemplate} instead of calling `Mustache.render`, which looks the source up in Mustache's global
 * cache on every call and parses it again whenever someone has turned that cache off.
 */
export function renderTemplate(template: Template, vars: Readonly<Record<string, string>>): string {
  // @types/mustache declares tokens as string[][] here, but they are the TemplateSpans that parse returned.
  const tokens = template.tokens as unknown as string[][];
  return renderer.renderTokens(tokens, new Mustache.Context(vars), undefined, template.source, RENDER_OPTIONS);
}

/**
 * Parses every template of a campaign once: the producer does it once per file and the worker once per
 * campaign it loads, and both then render rows from the result. A failure names the template at fault.
 */
export function parseMessageTemplates(templates: MessageTemplates): TemplatesParse {
  const variables = new Set<string>();
  const parseOne = (label: string, source: string): TemplateParse => {
    const parsed = parseTemplate(source);
    if (!parsed.ok) return { ok: false, reason: `${label}: ${parsed.reason}` };
    for (const name of parsed.template.variables) variables.add(name);
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
  return { ok: true, templates: { body, media, contentSid: templates.contentSid, contentVariables, variables } };
}

/** Adds the column names read by `tokens` to `into`; returns the name of a partial if one is used. */
function collectVariables(tokens: Mustache.TemplateSpans, into: Set<string>): string | undefined {
  for (const token of tokens) {
    const [type, name] = token;
    if (type === '>') return name;
    if (type !== 'name' && type !== '&' && type !== '#' && type !== '^') continue;
    // `{{.}}` is the current section value, not a column.
    if (name !== '.') into.add(name.split('.', 1)[0] ?? name);
    const children = token[4];
    if (Array.isArray(children)) {
      const partial = collectVariables(children, into);
      if (partial !== undefined) return partial;
    }
  }
  return undefined;
}

/** Mustache throws plain Errors such as `Unclosed section "x" at 12`; keep the text, lower-case its start. */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.charAt(0).toLowerCase() + message.slice(1);
}
