import type { Channel, MessageContent } from './channel.js';
import type { CountryCode } from './e164.js';
import { countSegments, MAX_BODY_LENGTH } from './segments.js';
import type { Sender } from './sender.js';
import { type ParsedTemplates, renderTemplate } from './template.js';

export interface ComposeInput {
  templates: ParsedTemplates;
  /** The row's variables: every column the templates read. */
  vars: Readonly<Record<string, string>>;
  channel: Channel;
  /**
   * The recipient's country (MMS goes to US/Canada numbers only); undefined when unknown. Only MMS reads it
   * ({@link readsCountry}), so a caller that would have to work it out for each message may leave it out otherwise.
   */
  country: CountryCode | undefined;
  sender: Sender;
  /**
   * WhatsApp: whether the recipient wrote within 24 hours. With both a Content template and a free-form message, the
   * free-form one goes inside that session and the template otherwise (absent counts as outside).
   */
  session?: boolean;
}

export type Composition = { ok: true; content: MessageContent } | { ok: false; reason: string };

/** Whether composing a message of this channel reads the recipient's country. */
export function readsCountry(channel: Channel): boolean {
  return channel === 'mms';
}

/** Twilio accepts at most ten MediaUrl parameters on one message (21623). */
const MAX_MEDIA = 10;
const MMS_COUNTRIES: ReadonlySet<string> = new Set(['US', 'CA']);
/** What WhatsApp accepts as one media message, judged by the URL's extension. */
const WHATSAPP_MEDIA_TYPES: ReadonlySet<string> = new Set(['jpg', 'jpeg', 'png', 'mp3', 'ogg', 'amr', 'pdf']);
const WHATSAPP_MEDIA_LIST = [...WHATSAPP_MEDIA_TYPES].join(', ');

/**
 * Renders one recipient's message and checks it against what Twilio and the channel accept, so that a row
 * that cannot be sent is refused at ingest with a reason instead of failing at send time. The producer and
 * the worker both call it, with the same templates and variables, and so get the same message.
 */
export function composeMessage(input: ComposeInput): Composition {
  switch (input.channel) {
    case 'sms':
      return composeSms(input);
    case 'mms':
      return composeMms(input);
    case 'whatsapp':
      return composeWhatsApp(input);
  }
}

/** The row's media URLs: each media template rendered and trimmed, the ones that render empty left out. */
export function renderMediaUrls(templates: ParsedTemplates, vars: Readonly<Record<string, string>>): string[] {
  const urls: string[] = [];
  for (const template of templates.media) {
    const url = renderTemplate(template, vars).trim();
    if (url !== '') urls.push(url);
  }
  return urls;
}

function composeSms({ templates, vars, sender }: ComposeInput): Composition {
  if (sender.kind === 'whatsapp') return refuse('SMS cannot be sent from a WhatsApp sender');
  if (renderMediaUrls(templates, vars).length > 0) return refuse('media given for an SMS message');
  const body = renderBody(templates, vars);
  if (body === undefined) return refuse('empty body');
  const tooLong = checkBodyLength(body);
  if (tooLong !== undefined) return refuse(tooLong);
  return { ok: true, content: { channel: 'sms', body, segments: countSegments(body) } };
}

function composeMms({ templates, vars, country, sender }: ComposeInput): Composition {
  if (sender.kind === 'whatsapp') return refuse('MMS cannot be sent from a WhatsApp sender');
  if (country === undefined || !MMS_COUNTRIES.has(country)) {
    return refuse(`MMS only to US/Canada numbers (recipient is ${country ?? 'of unknown country'})`);
  }
  const mediaUrls = renderMediaUrls(templates, vars);
  if (mediaUrls.length === 0) return refuse('no media URL for an MMS message');
  if (mediaUrls.length > MAX_MEDIA) return refuse(`more than ${MAX_MEDIA} media URLs (${mediaUrls.length})`);
  const badUrl = findBadMediaUrl(mediaUrls);
  if (badUrl !== undefined) return refuse(badUrl);
  const body = renderBody(templates, vars);
  if (body === undefined) return { ok: true, content: { channel: 'mms', mediaUrls } };
  const tooLong = checkBodyLength(body);
  if (tooLong !== undefined) return refuse(tooLong);
  return { ok: true, content: { channel: 'mms', body, mediaUrls } };
}

function composeWhatsApp({ templates, vars, sender, session }: ComposeInput): Composition {
  if (sender.kind !== 'whatsapp') return refuse(`WhatsApp needs a whatsapp: sender (assigned a ${sender.kind})`);
  const freeForm = templates.body !== undefined || templates.media.length > 0;
  if (templates.contentSid !== undefined && !(session === true && freeForm)) {
    // An approved template is the only thing WhatsApp delivers outside the 24-hour window; Body and MediaUrl
    // must then be left out (twilio.md §4), so the body and media templates are not rendered at all.
    if (templates.contentVariables === undefined) {
      return { ok: true, content: { channel: 'whatsapp', form: 'template', contentSid: templates.contentSid } };
    }
    // Each value is rendered on its own and the map serialised after, so quotes in a value stay valid JSON.
    const rendered = templates.contentVariables.map(([key, template]) => [key, renderTemplate(template, vars)]);
    const contentVariables = JSON.stringify(Object.fromEntries(rendered));
    return {
      ok: true,
      content: { channel: 'whatsapp', form: 'template', contentSid: templates.contentSid, contentVariables },
    };
  }
  const mediaUrls = renderMediaUrls(templates, vars);
  if (mediaUrls.length > 1) return refuse(`WhatsApp sends one media per message (got ${mediaUrls.length} media URLs)`);
  const badUrl = findBadMediaUrl(mediaUrls) ?? findBadWhatsAppMediaType(mediaUrls);
  if (badUrl !== undefined) return refuse(badUrl);
  const body = renderBody(templates, vars);
  if (body === undefined) {
    if (mediaUrls.length === 0) return refuse('empty body and no media');
    return { ok: true, content: { channel: 'whatsapp', form: 'session', mediaUrls } };
  }
  const tooLong = checkBodyLength(body);
  if (tooLong !== undefined) return refuse(tooLong);
  return { ok: true, content: { channel: 'whatsapp', form: 'session', body, mediaUrls } };
}

/** The rendered body, or undefined when there is no body template or it renders to whitespace only. */
function renderBody(templates: ParsedTemplates, vars: Readonly<Record<string, string>>): string | undefined {
  if (templates.body === undefined) return undefined;
  const body = renderTemplate(templates.body, vars);
  return body.trim() === '' ? undefined : body;
}

function checkBodyLength(body: string): string | undefined {
  if (body.length <= MAX_BODY_LENGTH) return undefined;
  return `body is ${formatCount(body.length)} characters (max ${formatCount(MAX_BODY_LENGTH)})`;
}

function findBadMediaUrl(urls: readonly string[]): string | undefined {
  for (const url of urls) {
    if (!/^https?:$/.test(parseUrl(url)?.protocol ?? '')) return `media URL is not http(s): ${url}`;
  }
  return undefined;
}

/** WhatsApp judges media by its type; a URL's extension (case-insensitive, query ignored) is what we can see. */
function findBadWhatsAppMediaType(urls: readonly string[]): string | undefined {
  for (const url of urls) {
    const path = parseUrl(url)?.pathname ?? '';
    const name = path.slice(path.lastIndexOf('/') + 1);
    const dot = name.lastIndexOf('.');
    if (dot < 0) return `WhatsApp media URL has no file extension (allowed: ${WHATSAPP_MEDIA_LIST}): ${url}`;
    const extension = name.slice(dot + 1).toLowerCase();
    if (!WHATSAPP_MEDIA_TYPES.has(extension)) {
      return `unsupported WhatsApp media type .${extension} (allowed: ${WHATSAPP_MEDIA_LIST})`;
    }
  }
  return undefined;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

function refuse(reason: string): Composition {
  return { ok: false, reason };
}
