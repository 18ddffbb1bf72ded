import { paceCost } from '../../domain/channel.js';
import { composeMessage, readsCountry } from '../../domain/compose-message.js';
import { countryOf } from '../../domain/e164.js';
import { buildCreateParams } from '../build-create-params.js';
import type { SendStep } from '../send-job.js';

/** Renders the message from the campaign's templates and the job's values; a row that no longer renders fails. */
export const compose: SendStep = {
  name: 'compose',
  async run(send, deps) {
    const { to, channel, vars } = send.data;
    const { templates } = send.target;
    const { entry } = send;
    // Reading the country parses the number with libphonenumber, a few percent of a worker's CPU: only when it counts.
    const country = readsCountry(channel) ? countryOf(to) : undefined;
    const session = send.whatsappSession;
    const composed = composeMessage({
      templates,
      vars,
      channel,
      country,
      sender: entry.sender,
      ...(session === undefined ? {} : { session }),
    });
    if (!composed.ok) {
      send.verdict = { kind: 'failed', code: 'invalid-content', reason: composed.reason };
      return;
    }
    send.content = composed.content;
    send.cost = paceCost(composed.content);
    send.params = buildCreateParams(entry.sender, to, composed.content, deps.statusCallback);
  },
};
