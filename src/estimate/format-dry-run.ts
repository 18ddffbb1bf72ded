import type { MessageContent } from '../domain/channel.js';
import { describeCountryHint } from '../ingest/country-hint.js';
import { formatDuration } from '../lib/format-duration.js';
import type { DryRunResult, SampleMessage } from './dry-run.js';

/** What `herald send --dry-run` prints. Pure. */
export function formatDryRun(campaign: string, result: DryRunResult): string {
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
    `dry run of campaign ${campaign}: ${result.rows} rows read; nothing was queued`,
    `  would send  ${result.messages}${channels === '' ? '' : ` (${channels})`}`,
    ...(result.repeated > 0 ? [`  repeated    ${result.repeated} (a number given again: sent once)`] : []),
    `  rejected    ${result.rejected}${result.rejected > 0 ? ' (each listed above with its line)' : ''}`,
    ...(result.countryHint === undefined ? [] : [`  hint        ${describeCountryHint(result.countryHint)}`]),
    ...result.emptyVariables.map(
      ({ variable, rows, fallback }, index) =>
        `  ${index === 0 ? 'empty cells' : '           '} {{${variable}}} in ${plural(rows, 'row')} ` +
        (fallback === undefined ? `(no fallback: {{${variable}|…}} gives one)` : `(fallback "${fallback}")`),
    ),
    ...(sms === undefined
      ? []
      : [
          `  SMS         ${sms.messages} messages in ${sms.segments} segments: ${tally.encodings['GSM-7']} GSM-7, ` +
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
    `  duration    about ${formatDuration(duration.seconds)} at the senders' limits (its slowest sender; longer if ` +
      'workers are few or Twilio throttles)',
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

function contentLines(content: MessageContent): string[] {
  if (content.channel === 'whatsapp' && content.form === 'template') {
    return [
      `content ${content.contentSid}${content.contentVariables === undefined ? '' : ` ${content.contentVariables}`}`,
    ];
  }
  const body = content.body === undefined ? [] : content.body.split(/\r\n|\r|\n/);
  const media = content.channel === 'sms' ? [] : content.mediaUrls.map((url) => `media ${url}`);
  return [...body, ...media];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function money(amount: number): string {
  return amount.toFixed(amount !== 0 && amount < 1 ? 4 : 2);
}

function hex(char: string): string {
  return (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}
