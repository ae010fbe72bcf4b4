/** Public paths that more than one module needs to recognise. */
export const WEBHOOK_PATH = '/webhooks/stripe';
