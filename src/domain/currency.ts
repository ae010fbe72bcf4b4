/**
 * Digits after the decimal point in Stripe's API amounts, per currency (docs.stripe.com/currencies).
 * Stripe moves amounts as integers in the currency's minor unit: 1999 is 19.99 USD, ¥1999 JPY,
 * 1.999 KWD. ISK, HUF and TWD are whole-unit currencies in practice, but Stripe's API keeps them
 * two-decimal (an ISK amount of 100 is 1 króna), so they follow the default here.
 */
const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** Every other ISO 4217 currency Stripe supports has two decimals in its API. */
export const DEFAULT_EXPONENT = 2;

/**
 * The exponent of a Stripe amount in `currency` (any case). A missing currency (a customer
 * Stripe has not assigned one yet, whose amounts are all zero) takes the default.
 */
export function currencyExponent(currency: unknown): number {
  if (typeof currency !== 'string') return DEFAULT_EXPONENT;
  const c = currency.trim().toLowerCase();
  if (ZERO_DECIMAL.has(c)) return 0;
  if (THREE_DECIMAL.has(c)) return 3;
  return DEFAULT_EXPONENT;
}

/** Minor units → the decimal a person reads: 1999 USD → 19.99, 1999 JPY → 1999, 1999 KWD → 1.999. */
export function minorToDecimal(amount: number, exponent: number): number {
  // Dividing two exact integers yields the double nearest the decimal.
  return amount / 10 ** exponent;
}

/**
 * A decimal → minor units, rounded to the currency's unit (half away from zero, so a refund of
 * -0.005 USD rounds like its positive twin). 19.99 → 1999 despite 19.99 × 100 = 1998.99…98.
 */
export function decimalToMinor(value: number, exponent: number): number {
  const scaled = Math.abs(value) * 10 ** exponent;
  // Undo binary noise first (1998.9999999999998), then round half away from zero.
  const rounded = Math.round(Number(scaled.toPrecision(15)));
  return value < 0 && rounded !== 0 ? -rounded : rounded;
}
