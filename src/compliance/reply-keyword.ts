/**
 * What a recipient's reply asks for. Twilio's Advanced Opt-Out words and the FCC's 2025 list (revoke, opt out)
 * opt out; START, UNSTOP and YES opt back in; HELP and INFO ask for help. Twilio's own `OptOutType`, when it matched
 * a keyword of the sender's configuration, wins over herald's reading of the text.
 */
export type ReplyIntent = 'opt-out' | 'opt-in' | 'help' | 'other';

const OPT_OUT = new Set(['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'revoke', 'optout', 'opt out']);
/** Opt-out words that mean nothing else, so they count anywhere in a reply. */
const UNAMBIGUOUS = new Set(['stopall', 'unsubscribe', 'revoke', 'optout', 'opt out']);
const OPT_IN = new Set(['start', 'unstop', 'yes']);
const HELP = new Set(['help', 'info']);

const OPT_OUT_TYPES: Readonly<Record<string, ReplyIntent>> = { STOP: 'opt-out', START: 'opt-in', HELP: 'help' };

/**
 * The reply's intent, in any case, with spaces and punctuation ignored (`Stop.`, ` STOP! `, `opt-out`). Opting back
 * in or asking for help takes the keyword alone, as Twilio reads keywords. An opt-out is read more widely, because
 * the FCC lets consent be revoked by any reasonable means and a missed one is the costly mistake: an opt-out word
 * that opens or closes the reply counts too ("Stop please", "ok STOP"), and the words nobody writes for another reason
 * (unsubscribe, revoke, opt out) count anywhere ("please unsubscribe me"); a common word in the middle of a sentence
 * ("can't stop smiling", "can you cancel my order") does not.
 */
export function readReplyIntent(body: string, optOutType?: string): ReplyIntent {
  const typed = optOutType === undefined ? undefined : OPT_OUT_TYPES[optOutType.trim().toUpperCase()];
  if (typed !== undefined) return typed;
  const word = body
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  if (OPT_OUT.has(word) || OPT_OUT.has(word.replaceAll(' ', ''))) return 'opt-out';
  const words = word.split(' ');
  const edges = [words[0], words.at(-1), words.slice(0, 2).join(' '), words.slice(-2).join(' ')];
  if (words.length > 1 && edges.some((edge) => edge !== undefined && OPT_OUT.has(edge))) return 'opt-out';
  const pairs = words.slice(1).map((second, index) => `${words[index]} ${second}`);
  if ([...words, ...pairs].some((phrase) => UNAMBIGUOUS.has(phrase))) return 'opt-out';
  if (OPT_IN.has(word)) return 'opt-in';
  if (HELP.has(word)) return 'help';
  return 'other';
}
