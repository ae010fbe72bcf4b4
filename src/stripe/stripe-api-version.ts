/**
 * The Stripe API version this build is written and tested against (the installed SDK's own
 * version). Pinned so a dashboard default change never alters the shapes we read.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive' as const;
