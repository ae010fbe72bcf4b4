import { externalIdField } from './salesforce-emulator.js';
import { type FieldSpec } from './schema.js';

/**
 * The custom fields a Salesforce admin creates for the bridge's seeded customer mappings (the
 * list its missing-fields report gives), so the demo, tests and benchmarks start from an org
 * that followed the setup guide.
 */
export const BRIDGE_CUSTOMER_FIELDS: FieldSpec[] = [
  externalIdField('Stripe_Customer_Id__c'),
  { name: 'Stripe_Deleted__c', type: 'boolean' },
  { name: 'Stripe_Address_Line2__c', type: 'string', length: 255 },
  { name: 'Stripe_Delinquent__c', type: 'boolean' },
  { name: 'Stripe_Currency__c', type: 'string', length: 3 },
  { name: 'Stripe_Balance__c', type: 'currency' },
  { name: 'Stripe_Created__c', type: 'datetime' },
];

/** Per sObject: Contact (the default mapping) and Account (the B2B one, with an email field). */
export const bridgeCustomFields = (): Record<string, FieldSpec[]> => ({
  Contact: BRIDGE_CUSTOMER_FIELDS,
  Account: [...BRIDGE_CUSTOMER_FIELDS, { name: 'Stripe_Email__c', type: 'email' }],
});
