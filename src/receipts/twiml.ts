/** TwiML that answers an incoming message with `text`, or with nothing when there is none. Pure. */
export function answerTwiml(text: string | undefined): string {
  const head = '<?xml version="1.0" encoding="UTF-8"?>';
  if (text === undefined || text === '') return `${head}<Response/>`;
  return `${head}<Response><Message>${escapeXml(text)}</Message></Response>`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
