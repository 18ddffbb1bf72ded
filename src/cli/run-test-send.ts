import { readFileSync } from 'node:fs';

import type { CampaignSpec } from '../domain/campaign.js';
import type { CsvFormat } from '../ingest/csv-format.js';
import { UsageError } from './usage-error.js';

/** The most staff numbers a test send takes: it is a check, not a campaign. */
const MAX_TEST_NUMBERS = 10;

/**
 * `--test-to`: the file's first messages, rendered as the campaign would render them, each sent to a staff number
 * straight through Twilio's API; Redis is not contacted, so nothing is queued and the campaign is untouched.
 */
export async function runTestSend(
  file: string,
  spec: CampaignSpec,
  format: CsvFormat,
  staffNumbers: readonly string[],
): Promise<void> {
  const [{ parsePhone }, { loadTwilioConfig }] = await Promise.all([
    import('../domain/e164.js'),
    import('../config/load-config.js'),
  ]);
  if (staffNumbers.length > MAX_TEST_NUMBERS)
    throw new UsageError(`--test-to takes at most ${MAX_TEST_NUMBERS} numbers`);
  const staff = staffNumbers.map((text) => {
    const parsed = parsePhone(text, spec.defaultCountry);
    if (!parsed.ok) throw new UsageError(`--test-to ${text}: ${parsed.reason}`);
    return parsed.e164;
  });
  const twilio = loadTwilioConfig(process.env);
  const [{ readFirstMessages, sendTestMessages, formatTestSend }, { createTwilioClient }] = await Promise.all([
    import('../lifecycle/test-send.js'),
    import('../send/twilio-client.js'),
  ]);
  const messages = await readFirstMessages(file, format, spec, staff.length, (line, reason) =>
    process.stderr.write(`line ${line}: ${reason}\n`),
  );
  const client = createTwilioClient({
    accountSid: twilio.accountSid,
    authToken: twilio.authToken,
    timeoutMs: twilio.timeoutMs,
    maxSockets: 2,
    transport: twilio.httpTransport,
    ...(twilio.baseUrl === undefined ? {} : { baseUrl: twilio.baseUrl }),
    ...(twilio.caFile === undefined ? {} : { ca: readFileSync(twilio.caFile, 'utf8') }),
  });
  const outcomes = await sendTestMessages(client, messages, staff);
  process.stdout.write(formatTestSend(spec.name, outcomes));
  if (outcomes.some((outcome) => !outcome.sent)) process.exitCode = 1;
}
