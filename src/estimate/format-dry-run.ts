import type { MessageContent } from '../domain/channel.js';
import { formatSendWindow, type SendWindow } from '../domain/send-window.js';
import { describeCountryHint } from '../ingest/country-hint.js';
import { formatDuration } from '../lib/format-duration.js';
import { plural } from '../lib/plural.js';
import { formatZoned } from '../lib/zoned-time.js';
import type { DryRunResult, SampleMessage } from './dry-run.js';
import type { CapEstimate } from './estimate-duration.js';

/** What `herald send --dry-run` prints; times in `zone`, the operator's. Pure. */
export function formatDryRun(
  campaign: string,
  result: DryRunResult,
  zone: string,
  window: SendWindow | undefined,
): string {
  const { tally, cost, duration } = result;
  const channels = Object.entries(tally.byChannel)
    .map(([channel, volume]) => `${channel} ${volume.messages}`)
    .join(', ');
  const sms = tally.byChannel.sms;
  const ucs2 = Object.entries(tally.ucs2Chars)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 12)
    .map(([char, n]) => `${JSON.stringify(char)} (U+${hex(char)}) in ${n}`);
  const lines = [
    `dry run of campaign ${campaign}: ${plural(result.rows, 'row')} read; nothing was queued`,
    `  would send  ${result.messages}${channels === '' ? '' : ` (${channels})`}`,
    ...(result.repeated > 0 ? [`  repeated    ${result.repeated} (a number given again: sent once)`] : []),
    `  rejected    ${result.rejected}${result.rejected > 0 ? ' (each listed above with its line)' : ''}`,
    ...(result.withoutConsent > 0 ? [`    of which  ${result.withoutConsent} without consent`] : []),
    ...(result.optedOut === undefined
      ? []
      : [
          `  opted out   ${result.optedOut}${result.optedOut > 0 ? ' on the opt-out list: herald send refuses them' : ''}`,
        ]),
    result.outsideLegalHours === undefined
      ? '  rules       transactional: no quiet hours, no frequency cap'
      : `  quiet hours ${result.outsideLegalHours} outside their legal hours ` +
        `${result.schedule.scheduled ? 'at the start' : 'now'} (US law): each waits for their next legal minute`,
    ...(result.countryHint === undefined ? [] : [`  hint        ${describeCountryHint(result.countryHint)}`]),
    ...result.emptyVariables.map(
      ({ variable, rows, fallback }, index) =>
        `  ${index === 0 ? 'empty cells' : '           '} {{${variable}}} in ${plural(rows, 'row')} ` +
        (fallback === undefined ? `(no fallback: {{${variable}|…}} gives one)` : `(fallback "${fallback}")`),
    ),
    ...(sms === undefined
      ? []
      : [
          `  SMS         ${plural(sms.messages, 'message')} in ${plural(sms.segments, 'segment')}: ${tally.encodings['GSM-7']} GSM-7, ` +
            `${tally.encodings['UCS-2']} UCS-2`,
          ...(ucs2.length > 0 ? [`              UCS-2 forced by ${ucs2.join(', ')}`] : []),
        ]),
    '  senders',
    ...duration.senders.map(
      (sender) =>
        `    ${sender.address}: ${plural(sender.messages, 'message')}` +
        `${sender.segments > 0 ? ` (${plural(sender.segments, 'SMS segment')})` : ''} at ${sender.mps}/s → ` +
        formatDuration(sender.seconds),
    ),
    ...formatTiming(result, zone, window),
    ...duration.caps.map((cap) => formatCap(cap, duration.pacedSeconds, zone)),
    `  cost        ${cost.currency} ${money(cost.total)} estimated, from: ${cost.source} (as of ${cost.asOf})`,
    ...cost.lines.map(
      (line) =>
        `    ${line.country} ${line.channel}: ${line.unit === 'segment' ? plural(line.segments, 'segment') : plural(line.messages, 'message')} × ` +
        `${line.unitPrice} = ${money(line.cost)}`,
    ),
    ...cost.unpriced.map(
      (line) => `    ${line.country} ${line.channel}: ${plural(line.messages, 'message')} not in the price table`,
    ),
    ...(result.samples.length === 0 ? [] : [`  first ${plural(result.samples.length, 'message')}:`]),
    ...result.samples.flatMap(formatSample),
  ];
  return `${lines.join('\n')}\n`;
}

/** What a group's daily cap does to the campaign, in one line. */
function formatCap(cap: CapEstimate, pacedSeconds: number, zone: string): string {
  const head =
    `  daily cap   ${cap.group}: ${cap.segments} segments a day (${cap.used} used today), resets at ${cap.resetAt} ` +
    `${cap.timeZone}; the campaign sends ${plural(cap.cost, 'segment')} through it`;
  if (cap.reachedAt === undefined) return `${head}: within the cap`;
  return (
    `${head}: reaches it about ${formatZoned(cap.reachedAt, zone)}, then waits for each reset, ` +
    `so it finishes in about ${formatDuration(cap.seconds)} instead of ${formatDuration(pacedSeconds)}`
  );
}

/**
 * How long sending takes and when it ends: at the senders' limits, and with a window as the recipients' hours allow,
 * from the `--send-at` time or from now.
 */
function formatTiming(result: DryRunResult, zone: string, window: SendWindow | undefined): string[] {
  const { duration, schedule } = result;
  const caveat = 'longer if workers are few or Twilio throttles';
  const sending = `${formatDuration(duration.seconds)} at the senders' limits`;
  const from = schedule.scheduled ? `from the start at ${formatZoned(schedule.startAt, zone)}` : 'if queued now';
  const lawful = result.outsideLegalHours !== undefined;
  if (window === undefined && !lawful) {
    return [
      `  duration    about ${sending} (its busiest limit; ${caveat})`,
      `  finish      about ${formatZoned(schedule.finishAt ?? schedule.startAt, zone, { seconds: true })}, ${from}`,
    ];
  }
  const law = "each recipient's legal hours";
  const hours =
    window === undefined
      ? law
      : `the window ${formatSendWindow(window)} in each recipient's own time${lawful ? ` and ${law}` : ''}`;
  if (schedule.finishAt === undefined) {
    return [`  duration    ${sending}, but some recipients' hours (${hours}) never open in the year ahead`];
  }
  return [
    `  duration    about ${formatDuration((schedule.finishAt - schedule.startAt) / 1000)} within ` +
      `${hours} (${sending}; ${caveat})`,
    `  finish      about ${formatZoned(schedule.finishAt, zone)}, ${from}`,
  ];
}

function formatSample(sample: SampleMessage): string[] {
  const head = `    line ${sample.line} → ${sample.to} from ${sample.from} (${describe(sample.content)})`;
  return [head, ...contentLines(sample.content).map((text) => `      ${text}`)];
}

function describe(content: MessageContent): string {
  if (content.channel === 'sms') {
    return `sms, ${content.segments.encoding}, ${plural(content.segments.segments, 'segment')}`;
  }
  if (content.channel === 'whatsapp' && content.form === 'template') return 'whatsapp template';
  return content.channel;
}

/** A message's text as it would be sent, line by line, and its media. */
export function contentLines(content: MessageContent): string[] {
  if (content.channel === 'whatsapp' && content.form === 'template') {
    return [
      `content ${content.contentSid}${content.contentVariables === undefined ? '' : ` ${content.contentVariables}`}`,
    ];
  }
  const body = content.body === undefined ? [] : content.body.split(/\r\n|\r|\n/);
  const media = content.channel === 'sms' ? [] : content.mediaUrls.map((url) => `media ${url}`);
  return [...body, ...media];
}

function money(amount: number): string {
  return amount.toFixed(amount !== 0 && amount < 1 ? 4 : 2);
}

function hex(char: string): string {
  return (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}
