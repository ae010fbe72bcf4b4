export const APP_NAME = 'stripe-crm-bridge';
// Kept in step with package.json by the release process (and checked by a unit test).
export const APP_VERSION = '0.1.0';
