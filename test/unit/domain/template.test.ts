import { describe, expect, it } from '@jest/globals';
import Mustache from 'mustache';

import {
  makeTemplateVars,
  parseMessageTemplates,
  parseTemplate,
  renderTemplate,
  type Template,
} from '../../../src/domain/template.js';

function parsed(source: string): Template {
  const result = parseTemplate(source);
  if (!result.ok) throw new Error(result.reason);
  return result.template;
}

describe('parseTemplate', () => {
  it.each([
    ['plain text', [] as string[]],
    ['Hi {{first_name}}, code {{code}}', ['first_name', 'code']],
    ['{{a}} {{a}} {{b}}', ['a', 'b']],
    ['{{{raw}}} and {{&amp}}', ['raw', 'amp']],
    ['{{#vip}}Dear {{title}} {{/vip}}{{name}}', ['vip', 'title', 'name']],
    ['{{^nick}}friend{{/nick}}', ['nick']],
    ['{{#list}}{{.}}{{/list}}', ['list']],
    ['{{user.name}} {{user.city}}', ['user']],
    ['{{! a comment }}{{x}}', ['x']],
    ['{{=<% %>=}}<% y %>', ['y']],
    ['{{ spaced }}', ['spaced']],
    ['Hi {{first_name|there}}, {{ city | your town }}', ['first_name', 'city']],
  ])('lists the variables of %j', (source, variables) => {
    expect(parsed(source).variables).toEqual(variables);
  });

  it.each([
    ['Hi {{name', 'unclosed tag at 9'],
    ['{{#a}}x', 'unclosed section "a" at 7'],
    ['x{{/a}}', 'unopened section "a" at 1'],
    ['{{#a}}x{{/b}}', 'unclosed section "a" at 7'],
    ['{{> footer}}', 'partials are not supported ({{> footer}})'],
    ['{{#a}}{{> inner}}{{/a}}', 'partials are not supported ({{> inner}})'],
    ['{{#a|b}}x{{/a|b}}', 'a fallback works in a tag ({{name|text}}), not in a section ({{#a|b}})'],
    ['{{|there}}', 'a fallback needs a column name before the | ({{|there}})'],
    ['{{user.name|there}}', 'a fallback needs a column name before the | ({{user.name|there}})'],
  ])('refuses %j with a readable reason', (source, reason) => {
    expect(parseTemplate(source)).toEqual({ ok: false, reason });
  });
});

describe('renderTemplate', () => {
  it.each([
    ['Hi {{first_name}}', { first_name: 'Ana' }, 'Hi Ana'],
    ['{{name}}', { name: 'Tom & Jerry <"x">' }, 'Tom & Jerry <"x">'],
    ['{{{name}}}{{&name}}', { name: 'a&b' }, 'a&ba&b'],
    ['{{#code}}Code: {{code}}{{/code}}', { code: '' }, ''],
    ['{{#code}}Code: {{code}}{{/code}}', { code: '42' }, 'Code: 42'],
    ['{{^nick}}friend{{/nick}}', { nick: '' }, 'friend'],
    ['{{missing}}!', {}, '!'],
    ['{{word.length}}', { word: 'four' }, '4'],
    ['Hi {{first_name|there}}!', { first_name: 'Ana' }, 'Hi Ana!'],
    ['Hi {{first_name|there}}!', { first_name: '' }, 'Hi there!'],
    ['Hi {{first_name|there}}!', { first_name: '   ' }, 'Hi there!'],
    ['Hi {{ first_name | valued customer }}!', { first_name: '' }, 'Hi valued customer!'],
    ['{{{first_name|a&b}}} {{first_name}}', { first_name: '' }, 'a&b '],
    ['{{a|x}}{{a}}{{a|y}}', { a: '' }, 'xy'],
    ['{{#a}}[{{a|no}}]{{/a}}{{^a}}{{a|none}}{{/a}}', { a: 'v' }, '[v]'],
    ['{{#a}}[{{a|no}}]{{/a}}{{^a}}{{a|none}}{{/a}}', { a: '' }, 'none'],
  ])('renders %j with %j', (source, vars: Record<string, string>, expected) => {
    expect(renderTemplate(parsed(source), vars)).toBe(expected);
  });

  it('reads a column named after a prototype property as its cell, and never reaches the prototype', () => {
    const vars = JSON.parse('{"__proto__":"P","constructor":"C","hasOwnProperty":"H","toString":"T"}') as Record<
      string,
      string
    >;
    const template = parsed('{{__proto__}} {{constructor}} {{hasOwnProperty}} {{hasOwnProperty}} {{toString}}');
    expect(renderTemplate(template, vars)).toBe('P C H H T');
    // Absent, those names render empty, not Object.prototype's members.
    expect(renderTemplate(template, {})).toBe('    ');
    expect(renderTemplate(parsed('{{#name}}{{constructor}}{{/name}}'), { name: 'Ann' })).toBe('');
  });

  it('keeps the `__proto__` value that makeTemplateVars was given, through JSON as jobs store it', () => {
    const vars = makeTemplateVars([
      ['__proto__', 'kept'],
      ['name', '  '],
    ]);
    expect(Object.keys(vars)).toEqual(['__proto__', 'name']);
    expect(renderTemplate(parsed('{{__proto__}}|{{name|friend}}'), JSON.parse(JSON.stringify(vars)))).toBe(
      'kept|friend',
    );
  });

  it('does not escape even after the global escape is set to HTML', () => {
    const previous = Mustache.escape;
    Mustache.escape = (text: string) => text.replaceAll('&', '&amp;');
    try {
      expect(renderTemplate(parsed('{{x}}'), { x: 'a&b' })).toBe('a&b');
    } finally {
      Mustache.escape = previous;
    }
  });

  it('renders without parsing again, even with Mustache’s cache off', () => {
    const template = parsed('Hi {{name}}');
    const writer = Mustache.Writer.prototype;
    const parse = writer.parse;
    const previousCache = Mustache.templateCache;
    let parses = 0;
    Mustache.templateCache = undefined;
    writer.parse = function (this: Mustache.Writer, ...args: Parameters<typeof parse>) {
      parses += 1;
      return parse.apply(this, args);
    };
    try {
      for (let row = 0; row < 1000; row++) renderTemplate(template, { name: `n${row}` });
      // The check itself works: Mustache.render parses on every call with the cache off.
      Mustache.render('Hi {{name}}', { name: 'x' });
    } finally {
      writer.parse = parse;
      Mustache.templateCache = previousCache;
    }
    expect(parses).toBe(1);
  });
});

describe('parseMessageTemplates', () => {
  it('parses every template and gathers all their variables', () => {
    const result = parseMessageTemplates({
      body: 'Hi {{first_name}}',
      media: ['https://cdn.example.com/{{image}}', ''],
      contentSid: 'HX0123456789abcdef0123456789abcdef',
      contentVariables: { '1': '{{first_name}}', '2': '{{code}}' },
    });
    if (!result.ok) throw new Error(result.reason);
    expect([...result.templates.variables]).toEqual(['first_name', 'image', 'code']);
    expect(result.templates.media).toHaveLength(2);
    expect(result.templates.contentVariables?.map(([key]) => key)).toEqual(['1', '2']);
    expect(result.templates.contentSid).toBe('HX0123456789abcdef0123456789abcdef');
  });

  it('gathers the first fallback of each variable', () => {
    const result = parseMessageTemplates({ body: 'Hi {{a|x}} {{a|y}} {{b}}', media: ['{{c|z}}'] });
    expect(result.ok && [...result.templates.fallbacks]).toEqual([
      ['a', 'x'],
      ['c', 'z'],
    ]);
  });

  it.each([
    [{ body: 'Hi {{name', media: [] }, 'body template: unclosed tag at 9'],
    [{ media: ['ok', '{{#x}}'] }, 'media template 2: unclosed section "x" at 6'],
    [{ media: [], contentVariables: { '1': '{{/x}}' } }, 'content variable "1": unopened section "x" at 0'],
  ])('names the template that does not parse', (templates, reason) => {
    expect(parseMessageTemplates(templates)).toEqual({ ok: false, reason });
  });

  it('leaves absent parts undefined', () => {
    const result = parseMessageTemplates({ media: [] });
    expect(result).toEqual({
      ok: true,
      templates: {
        body: undefined,
        media: [],
        contentSid: undefined,
        contentVariables: undefined,
        variables: new Set(),
        fallbacks: new Map(),
      },
    });
  });
});
