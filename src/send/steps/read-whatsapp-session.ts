import { isSessionOpen } from '../../compliance/whatsapp-sessions.js';
import type { SendStep } from '../send-job.js';

/**
 * For a WhatsApp campaign given both a free-form message and a Content template, reads whether the recipient wrote
 * within 24 hours (the reply webhook records it): compose then sends the free-form message inside that session and
 * the template outside it, as WhatsApp allows nothing else.
 */
export const readWhatsAppSession: SendStep = {
  name: 'read-whatsapp-session',
  async run(send, deps) {
    const { templates } = send.target;
    const freeForm = templates.body !== undefined || templates.media.length > 0;
    if (send.data.channel !== 'whatsapp' || templates.contentSid === undefined || !freeForm) return;
    send.whatsappSession = isSessionOpen(await deps.compliance.sessions.lastWroteAt(send.data.to), deps.clock.now());
  },
};
