/**
 * Microsoft Teams "Workflows" webhook (the Power Automate trigger "When a Teams webhook request is received", which
 * replaced Office 365 connectors): the request body must be `{"type":"message","attachments":[{"contentType":
 * "application/vnd.microsoft.card.adaptive","content":{AdaptiveCard}}]}`. A body that does not match the trigger's
 * schema (e.g. the old connector's plain `{"text": ...}`) is refused with 400 TriggerInputSchemaMismatch; an accepted
 * request gets 202 Accepted with no body. Cards are checked with the adaptivecards library: a card it rejects is
 * still accepted (as by Teams, where the run then posts "We're sorry, this card couldn't be displayed"), and the
 * simulator records the card errors with the event.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js');

export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Schema mismatches of the trigger (empty: the envelope is accepted). */
export function envelopeErrors(body: unknown): string[] {
  if (!isObj(body)) return ['Invalid type. Expected Object.'];
  const missing = ['type', 'attachments'].filter((k) => body[k] === undefined);
  if (missing.length) return [`Required properties are missing from object: ${missing.join(', ')}.`];
  if (body.type !== 'message') return [`Value "${String(body.type)}" is not defined in enum (expected "message").`];
  if (!Array.isArray(body.attachments)) return ["Invalid type. Expected Array for 'attachments'."];
  const errors: string[] = [];
  body.attachments.forEach((a: unknown, i: number) => {
    if (!isObj(a)) return errors.push(`attachments[${i}]: Invalid type. Expected Object.`);
    const miss = ['contentType', 'content'].filter((k) => a[k] === undefined);
    if (miss.length)
      return errors.push(`attachments[${i}]: Required properties are missing from object: ${miss.join(', ')}.`);
    if (a.contentType !== ADAPTIVE_CARD)
      return errors.push(`attachments[${i}].contentType must be "${ADAPTIVE_CARD}" (got "${String(a.contentType)}").`);
    if (!isObj(a.content)) errors.push(`attachments[${i}].content: Invalid type. Expected Object.`);
    return undefined;
  });
  return errors;
}

/** What the adaptivecards library reports about a card (empty: it parses and validates cleanly). */
export function cardErrors(card: unknown): string[] {
  if (!isObj(card)) return ['The card is not an object.'];
  if (card.type !== 'AdaptiveCard') return [`The card's type must be "AdaptiveCard" (got "${String(card.type)}").`];
  const errors: string[] = [];
  if (typeof card.version !== 'string') errors.push('The card has no "version" (required on a top-level card).');
  const ctx = new AC.SerializationContext();
  const c = new AC.AdaptiveCard();
  try {
    c.parse(card, ctx);
  } catch (e) {
    return [...errors, `The card cannot be parsed: ${(e as Error).message}`];
  }
  for (let i = 0; i < ctx.eventCount; i++) errors.push(String(ctx.getEventAt(i).message));
  const v = c.validateProperties();
  for (let i = 0; i < v.validationEvents.length; i++) {
    const ev = v.validationEvents[i];
    errors.push(String(ev.message));
  }
  return [...new Set(errors)];
}
