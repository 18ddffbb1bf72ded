import { sendingHoursLaw } from '../compliance/sending-hours.js';
import { WhatsAppSessions } from '../compliance/whatsapp-sessions.js';
import type { RedisClient } from '../redis/redis-connection.js';
import { FrequencyCap } from '../store/frequency-cap.js';
import { recordHold } from '../store/held-recipients.js';
import type { Keys } from '../store/keys.js';
import type { ComplianceDeps } from './send-job.js';

/** The compliance parts of a worker's sends, on its send-path connection; `frequencyCap`: HERALD_FREQUENCY_CAP. */
export function makeComplianceDeps(client: RedisClient, keys: Keys, frequencyCap: number): ComplianceDeps {
  return {
    law: sendingHoursLaw(),
    frequencyCap: new FrequencyCap(client, keys, frequencyCap),
    sessions: new WhatsAppSessions(client, keys),
    recordHold: (campaign, to, hold) => recordHold(client, keys, campaign, to, hold),
  };
}
