import { invalid, type StripeApiError } from './stripe-errors.js';

/**
 * Stripe's own limits, refused the way Stripe refuses them (messages as Stripe words them), so
 * that code under test proves its validation against the emulator rather than against luck.
 */

/** Metadata caps (https://docs.stripe.com/api/metadata): 50 keys, 40-char keys, 500-char values. */
export const METADATA_MAX_KEYS = 50;
export const METADATA_MAX_KEY_LENGTH = 40;
export const METADATA_MAX_VALUE_LENGTH = 500;

/** Stripe counts characters (code points), not UTF-16 units: an emoji is one. */
const length = (s: string): number => [...s].length;

/** Stripe quotes a long value as its first and last ten characters. */
const elide = (s: string): string => {
  const chars = [...s];
  return chars.length <= 20 ? s : `${chars.slice(0, 10).join('')}...${chars.slice(-10).join('')}`;
};

/** "Invalid string: aaaaaaaaaa...aaaaaaaaaa; must be at most 256 characters" (no error code). */
export function checkLength(value: string, max: number, param: string): string {
  if (length(value) > max) {
    throw invalid(`Invalid string: ${elide(value)}; must be at most ${max} characters`, param);
  }
  return value;
}

/**
 * What Stripe takes for an address: a local part of RFC 5322 atoms without spaces, `@`, and a
 * domain of at least two dot-separated labels ending in a 2+ letter TLD. Stripe refuses
 * `a@com`, `a@gmail`, `a@.x.com`, a full-width `＠` and surrounding spaces alike.
 */
const EMAIL =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$/;

export function checkEmail(value: string, param: string): string {
  checkLength(value, 512, param);
  if (value !== '' && !EMAIL.test(value)) {
    throw invalid(`Invalid email address: ${value}`, param, 'email_invalid');
  }
  return value;
}

/**
 * An enum param out of range: "Invalid tax_exempt: must be one of none, reverse, or exempt"
 * (Stripe lists the choices with a final "or"; this refusal carries no error code).
 */
export function checkOneOf(value: unknown, choices: readonly string[], param: string): void {
  if (value === undefined || (typeof value === 'string' && choices.includes(value))) return;
  const listed =
    choices.length > 2
      ? `${choices.slice(0, -1).join(', ')}, or ${choices.at(-1)}`
      : choices.join(' or ');
  throw invalid(`Invalid ${param}: must be one of ${listed}`, param);
}

export const tooManyMetadataKeys = (count: number): StripeApiError =>
  invalid(
    `Metadata can have up to ${METADATA_MAX_KEYS} keys, but you've set ${count}. Email us at support+metadata@stripe.com for more information.`,
    'metadata',
  );

/** Per-entry limits; the 50-key cap is checked on what the object would hold (see params). */
export function checkMetadataEntry(key: string, value: string, prefix: string): void {
  const param = `${prefix}[${key}]`;
  if (length(key) > METADATA_MAX_KEY_LENGTH) {
    throw invalid(
      `Metadata keys can have up to ${METADATA_MAX_KEY_LENGTH} characters, but you passed in a key that is ${length(key)} characters. Invalid key: ${key}`,
      param,
    );
  }
  if (length(value) > METADATA_MAX_VALUE_LENGTH) {
    throw invalid(
      `Metadata values can have up to ${METADATA_MAX_VALUE_LENGTH} characters, but you passed in a value that is ${length(value)} characters. Invalid value: ${value}`,
      param,
    );
  }
}

export function checkMetadataCount(metadata: Record<string, string>): void {
  const count = Object.keys(metadata).length;
  if (count > METADATA_MAX_KEYS) throw tooManyMetadataKeys(count);
}
