/**
 * `npm run emulators`: the local Stripe, HubSpot and Salesforce APIs, standalone, for trying
 * the bridge or an SDK against them. Ports: STRIPE_EMULATOR_PORT, HUBSPOT_EMULATOR_PORT and
 * SALESFORCE_EMULATOR_PORT (default 12111, 12112 and 12113). The Salesforce org has the custom
 * fields the bridge's mappings need (as an admin following the setup guide creates them), so a
 * bridge pointed at it syncs instead of refusing its mappings. Ctrl-C stops them.
 */
import { HubSpotEmulator } from '../emulators/hubspot/hubspot-emulator.js';
import { bridgeCustomFields } from '../emulators/salesforce/bridge-fields.js';
import { SalesforceEmulator } from '../emulators/salesforce/salesforce-emulator.js';
import { StripeEmulator } from '../emulators/stripe/stripe-emulator.js';

const port = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

async function main(): Promise<void> {
  const stripe = new StripeEmulator();
  const hubspot = new HubSpotEmulator();
  const customFields = bridgeCustomFields();
  const salesforce = new SalesforceEmulator({ customFields });
  const [stripeUrl, hubspotUrl, salesforceUrl] = await Promise.all([
    stripe.start(port('STRIPE_EMULATOR_PORT', 12111)),
    hubspot.start(port('HUBSPOT_EMULATOR_PORT', 12112)),
    salesforce.start(port('SALESFORCE_EMULATOR_PORT', 12113)),
  ]);
  process.stdout.write(
    [
      'Emulators listening on 127.0.0.1 (control API under /_emulator on each):',
      `  Stripe      ${stripeUrl}  any key sk_test_…, e.g. STRIPE_API_BASE=${stripeUrl}`,
      `  HubSpot     ${hubspotUrl}  any token pat-…, e.g. HUBSPOT_API_BASE=${hubspotUrl}`,
      `  Salesforce  ${salesforceUrl}  SALESFORCE_INSTANCE_URL=${salesforceUrl} SALESFORCE_ACCESS_TOKEN=${salesforce.issueToken()}`,
      ...Object.entries(customFields).map(
        ([sobject, fields]) =>
          `              ${sobject} has the bridge's custom fields: ${fields.map((f) => f.name).join(', ')}`,
      ),
      'Ctrl-C stops them.',
      '',
    ].join('\n'),
  );
  const stop = () => {
    void Promise.all([stripe.stop(), hubspot.stop(), salesforce.stop()]).then(() =>
      process.exit(0),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`emulators failed to start: ${String(err)}\n`);
  process.exit(1);
});
