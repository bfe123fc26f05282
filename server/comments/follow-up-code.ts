/**
 * The code a citizen is given after leaving a comment, to read the unit's reply without
 * saying who they are. Twelve characters of Crockford's base32 (no I, L, O or U, so nothing
 * reads as another character): 60 random bits, far beyond what rate-limited guessing can
 * reach. People may type it in lower case, with spaces or dashes, and with O for 0 or I/L
 * for 1; all of those lead to the same code.
 *
 * The survey page draws the code on the phone (so that the thank-you screen can show it
 * whichever way the rating was sent) and sends it with the rating; the server stores it with
 * the comment. This file has no dependency, so the page imports it as it is.
 */
export const FOLLOW_UP_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const FOLLOW_UP_CODE_LENGTH = 12;
export const FOLLOW_UP_CODE_PATTERN = /^[0-9A-HJKMNP-TV-Z]{12}$/;

/** A new code from the platform's random source. */
export function newFollowUpCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(FOLLOW_UP_CODE_LENGTH));
  // 256 is a multiple of 32, so taking each byte modulo 32 leaves no bias.
  return Array.from(bytes, (byte) => FOLLOW_UP_ALPHABET[byte % 32]).join('');
}

/** The code as people read it: 4-4-4. */
export function formatFollowUpCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1-');
}

/** The code as typed, in its stored form (it may still not be a valid code). */
export function normaliseFollowUpCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}
