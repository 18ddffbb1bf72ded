import { describeOptOut } from '../../compliance/opt-out-record.js';
import { holdBack } from '../hold-back.js';
import { OPTED_OUT_CODE, type Send, type SendDeps } from '../send-job.js';
import { holdIfQuietHours } from './await-legal-hours.js';

/**
 * The compliance checks made right before the request is written, after any wait for a slot: the recipient's legal
 * hours again (the wait may have crossed into quiet hours), the opt-out list again (a STOP may have landed meanwhile),
 * and the frequency cap, counted here so that only a message about to go counts. The opt-out list and the cap each
 * have their own Redis slot (not the campaign's), so they are asked together beside the campaign gate, not in its
 * script. True when the send may go; else the send has its verdict. A transactional campaign skips hours and cap.
 */
export async function checkBeforeWrite(send: Send, deps: SendDeps): Promise<boolean> {
  if (await holdIfQuietHours(send, deps)) return false;
  const campaign = send.target.spec.name;
  const { to } = send.data;
  const capped = send.target.spec.transactional !== true;
  const [optOut, counted] = await Promise.all([
    deps.optOuts.recordOf(to),
    capped ? deps.compliance.frequencyCap.count(to, campaign) : undefined,
  ]);
  if (counted?.kind === 'counted') send.counted = true;
  if (optOut !== undefined) {
    await giveBackCount(send, deps);
    send.verdict = { kind: 'failed', code: OPTED_OUT_CODE, reason: `recipient ${describeOptOut(optOut)}` };
    return false;
  }
  if (counted?.kind === 'over') {
    await holdBack(send, deps, { reason: 'frequency-cap', until: counted.until });
    return false;
  }
  return true;
}

/** Gives back the send's count on its recipient's frequency cap, if it has one: no message went after all. */
export async function giveBackCount(send: Send, deps: SendDeps): Promise<void> {
  if (send.counted !== true) return;
  delete send.counted;
  await deps.compliance.frequencyCap.giveBack(send.data.to, send.target.spec.name);
}
