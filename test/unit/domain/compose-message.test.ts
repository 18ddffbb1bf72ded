import { describe, expect, it } from '@jest/globals';

import type { MessageTemplates } from '../../../src/domain/campaign.js';
import type { Channel, MessageContent } from '../../../src/domain/channel.js';
import {
  type ComposeInput,
  composeMessage,
  readsCountry,
  renderMediaUrls,
} from '../../../src/domain/compose-message.js';
import type { CountryCode, E164 } from '../../../src/domain/e164.js';
import type { Sender } from '../../../src/domain/sender.js';
import { type ParsedTemplates, parseMessageTemplates } from '../../../src/domain/template.js';

const LONG_CODE: Sender = { kind: 'long-code', number: '+14155550100' as E164 };
const WHATSAPP: Sender = { kind: 'whatsapp', number: '+14155550101' as E164 };
const CONTENT_SID = 'HX0123456789abcdef0123456789abcdef';
const IMAGE = 'https://cdn.example.com/a.jpg';

function parse(templates: Partial<MessageTemplates>): ParsedTemplates {
  const result = parseMessageTemplates({ media: [], ...templates });
  if (!result.ok) throw new Error(result.reason);
  return result.templates;
}

interface Case {
  templates: Partial<MessageTemplates>;
  vars?: Record<string, string>;
  channel: Channel;
  country?: CountryCode;
  sender?: Sender;
  session?: boolean;
}

function compose({ templates, vars = {}, channel, country = 'US', sender, session }: Case) {
  const input: ComposeInput = {
    templates: parse(templates),
    vars,
    channel,
    country,
    sender: sender ?? (channel === 'whatsapp' ? WHATSAPP : LONG_CODE),
    ...(session === undefined ? {} : { session }),
  };
  return composeMessage(input);
}

describe('composeMessage', () => {
  it.each<[string, Case, MessageContent]>([
    [
      'SMS with a rendered body and its segments',
      { templates: { body: 'Hi {{name}}' }, vars: { name: 'Ana' }, channel: 'sms' },
      { channel: 'sms', body: 'Hi Ana', segments: { encoding: 'GSM-7', segments: 1, ucs2Chars: [] } },
    ],
    [
      'SMS whose value forces UCS-2',
      { templates: { body: 'Hi {{name}}' }, vars: { name: 'Zoë 😀' }, channel: 'sms' },
      { channel: 'sms', body: 'Hi Zoë 😀', segments: { encoding: 'UCS-2', segments: 1, ucs2Chars: ['ë', '😀'] } },
    ],
    [
      'SMS with media templates that render empty for the row',
      { templates: { body: 'Hi', media: ['{{image}}', '  '] }, vars: { image: '' }, channel: 'sms' },
      { channel: 'sms', body: 'Hi', segments: { encoding: 'GSM-7', segments: 1, ucs2Chars: [] } },
    ],
    [
      'SMS of exactly 1,600 characters',
      { templates: { body: '{{text}}' }, vars: { text: 'a'.repeat(1600) }, channel: 'sms' },
      { channel: 'sms', body: 'a'.repeat(1600), segments: { encoding: 'GSM-7', segments: 11, ucs2Chars: [] } },
    ],
    [
      'MMS with media only, empty media dropped',
      { templates: { media: ['{{image}}', '{{second}}'] }, vars: { image: IMAGE, second: '' }, channel: 'mms' },
      { channel: 'mms', mediaUrls: [IMAGE] },
    ],
    [
      'MMS with a body and ten media URLs to Canada',
      {
        templates: { body: 'Look', media: Array.from({ length: 10 }, (_, index) => `http://x.example/${index}.png`) },
        channel: 'mms',
        country: 'CA',
        sender: { kind: 'short-code', code: '12345' },
      },
      {
        channel: 'mms',
        body: 'Look',
        mediaUrls: Array.from({ length: 10 }, (_, index) => `http://x.example/${index}.png`),
      },
    ],
    [
      'MMS whose body renders to whitespace leaves the body out',
      { templates: { body: '{{note}} ', media: [IMAGE] }, vars: { note: '' }, channel: 'mms' },
      { channel: 'mms', mediaUrls: [IMAGE] },
    ],
    [
      'WhatsApp template with values rendered one by one',
      {
        templates: { body: 'ignored', contentSid: CONTENT_SID, contentVariables: { '1': '{{name}}', '2': '{{code}}' } },
        vars: { name: 'Ana "the" \\ best', code: '42' },
        channel: 'whatsapp',
      },
      {
        channel: 'whatsapp',
        form: 'template',
        contentSid: CONTENT_SID,
        contentVariables: '{"1":"Ana \\"the\\" \\\\ best","2":"42"}',
      },
    ],
    [
      'WhatsApp with both forms, inside the 24-hour session: the free-form message',
      {
        templates: { body: 'Hi {{name}}', contentSid: CONTENT_SID },
        vars: { name: 'Ana' },
        channel: 'whatsapp',
        session: true,
      },
      { channel: 'whatsapp', form: 'session', body: 'Hi Ana', mediaUrls: [] },
    ],
    [
      'WhatsApp with both forms, outside the session: the template',
      {
        templates: { body: 'Hi {{name}}', contentSid: CONTENT_SID },
        vars: { name: 'Ana' },
        channel: 'whatsapp',
        session: false,
      },
      { channel: 'whatsapp', form: 'template', contentSid: CONTENT_SID },
    ],
    [
      'WhatsApp template only, inside the session: the template (nothing free-form to send)',
      { templates: { contentSid: CONTENT_SID }, channel: 'whatsapp', session: true },
      { channel: 'whatsapp', form: 'template', contentSid: CONTENT_SID },
    ],
    [
      'WhatsApp template without variables',
      { templates: { contentSid: CONTENT_SID }, channel: 'whatsapp', country: 'GB' },
      { channel: 'whatsapp', form: 'template', contentSid: CONTENT_SID },
    ],
    [
      'WhatsApp session with a body',
      { templates: { body: 'Hi {{name}}' }, vars: { name: 'Ana' }, channel: 'whatsapp', country: 'GB' },
      { channel: 'whatsapp', form: 'session', body: 'Hi Ana', mediaUrls: [] },
    ],
    [
      'WhatsApp session with one media and no body',
      { templates: { media: ['https://x.example/doc.PDF?sig=abc.gif'] }, channel: 'whatsapp' },
      { channel: 'whatsapp', form: 'session', mediaUrls: ['https://x.example/doc.PDF?sig=abc.gif'] },
    ],
    [
      'WhatsApp session with a body and an audio file',
      { templates: { body: 'Listen', media: ['https://x.example/a/b/voice.ogg#t=1'] }, channel: 'whatsapp' },
      { channel: 'whatsapp', form: 'session', body: 'Listen', mediaUrls: ['https://x.example/a/b/voice.ogg#t=1'] },
    ],
  ])('composes %s', (_name, testCase, content) => {
    expect(compose(testCase)).toEqual({ ok: true, content });
  });

  it.each<[Case, string]>([
    [{ templates: {}, channel: 'sms' }, 'empty body'],
    [{ templates: { body: '{{name}}  ' }, vars: { name: '' }, channel: 'sms' }, 'empty body'],
    [{ templates: { body: 'Hi', media: [IMAGE] }, channel: 'sms' }, 'media given for an SMS message'],
    [
      { templates: { body: '{{t}}' }, vars: { t: 'a'.repeat(1734) }, channel: 'sms' },
      'body is 1,734 characters (max 1,600)',
    ],
    [{ templates: { body: 'Hi' }, channel: 'sms', sender: WHATSAPP }, 'SMS cannot be sent from a WhatsApp sender'],
    [
      { templates: { media: [IMAGE] }, channel: 'mms', country: 'GB' },
      'MMS only to US/Canada numbers (recipient is GB)',
    ],
    [
      { templates: { body: 'Hi', media: ['{{img}}'] }, vars: { img: ' ' }, channel: 'mms' },
      'no media URL for an MMS message',
    ],
    [{ templates: { media: Array.from({ length: 11 }, () => IMAGE) }, channel: 'mms' }, 'more than 10 media URLs (11)'],
    [
      { templates: { media: ['ftp://x.example/a.jpg'] }, channel: 'mms' },
      'media URL is not http(s): ftp://x.example/a.jpg',
    ],
    [{ templates: { media: ['a.jpg'] }, channel: 'mms' }, 'media URL is not http(s): a.jpg'],
    [{ templates: { media: [IMAGE] }, channel: 'mms', sender: WHATSAPP }, 'MMS cannot be sent from a WhatsApp sender'],
    [
      { templates: { body: '{{t}}', media: [IMAGE] }, vars: { t: 'a'.repeat(1601) }, channel: 'mms' },
      'body is 1,601 characters (max 1,600)',
    ],
    [
      { templates: { body: 'Hi' }, channel: 'whatsapp', sender: LONG_CODE },
      'WhatsApp needs a whatsapp: sender (assigned a long-code)',
    ],
    [{ templates: {}, channel: 'whatsapp' }, 'empty body and no media'],
    [
      { templates: { body: '{{x}}', media: ['{{y}}'] }, vars: { x: '', y: '' }, channel: 'whatsapp' },
      'empty body and no media',
    ],
    [
      { templates: { media: ['https://x.example/a.gif?v=1.jpg'] }, channel: 'whatsapp' },
      'unsupported WhatsApp media type .gif (allowed: jpg, jpeg, png, mp3, ogg, amr, pdf)',
    ],
    [
      { templates: { media: ['https://x.example/picture'] }, channel: 'whatsapp' },
      'WhatsApp media URL has no file extension (allowed: jpg, jpeg, png, mp3, ogg, amr, pdf): https://x.example/picture',
    ],
    [
      { templates: { media: [IMAGE, IMAGE] }, channel: 'whatsapp' },
      'WhatsApp sends one media per message (got 2 media URLs)',
    ],
    [{ templates: { media: ['mailto:a@b.c'] }, channel: 'whatsapp' }, 'media URL is not http(s): mailto:a@b.c'],
    [
      { templates: { body: '{{t}}' }, vars: { t: 'a'.repeat(2000) }, channel: 'whatsapp' },
      'body is 2,000 characters (max 1,600)',
    ],
  ])('refuses %j: %s', (testCase, reason) => {
    expect(compose(testCase)).toEqual({ ok: false, reason });
  });

  it('refuses MMS to a recipient of unknown country', () => {
    const input: ComposeInput = {
      templates: parse({ media: [IMAGE] }),
      vars: {},
      channel: 'mms',
      country: undefined,
      sender: LONG_CODE,
    };
    expect(composeMessage(input)).toEqual({
      ok: false,
      reason: 'MMS only to US/Canada numbers (recipient is of unknown country)',
    });
  });

  // The worker leaves the country out for every channel readsCountry says does not read it (it costs a parse).
  it.each<[Channel, Case]>([
    ['sms', { templates: { body: 'Hi' }, channel: 'sms' }],
    ['whatsapp', { templates: { body: 'Hi', media: [IMAGE] }, channel: 'whatsapp' }],
    ['mms', { templates: { body: 'Hi', media: [IMAGE] }, channel: 'mms' }],
  ])(
    'composes %s the same without the country exactly when readsCountry says it does not read it',
    (channel, testCase) => {
      const withCountry = compose({ ...testCase, country: 'US' });
      const withOther = compose({ ...testCase, country: 'GB' });
      expect(withCountry.ok).toBe(true);
      expect(readsCountry(channel)).toBe(JSON.stringify(withOther) !== JSON.stringify(withCountry));
    },
  );
});

describe('renderMediaUrls', () => {
  it('renders and trims each media template and leaves out the empty ones', () => {
    const templates = parse({ media: [' {{a}} ', '{{b}}', 'https://x.example/{{c}}.png'] });
    expect(renderMediaUrls(templates, { a: IMAGE, b: '', c: 'k' })).toEqual([IMAGE, 'https://x.example/k.png']);
  });
});
