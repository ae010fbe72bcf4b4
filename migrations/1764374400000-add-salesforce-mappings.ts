import { type MigrationInterface, type QueryRunner } from 'typeorm';

type Row = [
  key: string,
  stripePath: string,
  crmProperty: string,
  direction: string,
  transforms: object[],
];

/**
 * Salesforce: each mapping names the CRM field flagging a deleted Stripe object (HubSpot keeps
 * `stripe_deleted`; Salesforce custom fields end in __c), and the customer mappings are seeded:
 * Contact (enabled) and Account (for merchants who bill companies; disabled, enable it instead
 * of the Contact one: one enabled mapping per CRM and Stripe type). They take effect only when
 * SALESFORCE_* credentials are configured.
 */
export class AddSalesforceMappings1764374400000 implements MigrationInterface {
  name = 'AddSalesforceMappings1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE object_mappings
         ADD COLUMN deleted_flag_property text NOT NULL DEFAULT 'stripe_deleted'`,
    );
    // A Stripe type maps to one object per CRM at a time (Contact or Account), but both can be
    // on file: uniqueness now binds the enabled mapping only.
    await q.query(
      `ALTER TABLE object_mappings DROP CONSTRAINT object_mappings_connector_stripe_object_key`,
    );
    await q.query(
      `CREATE UNIQUE INDEX object_mappings_one_enabled ON object_mappings (connector, stripe_object)
         WHERE enabled`,
    );
    await seedContact(q);
    await seedAccount(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM object_mappings WHERE id IN ('salesforce-customer', 'salesforce-customer-account')`,
    );
    await q.query(`DROP INDEX object_mappings_one_enabled`);
    await q.query(
      `ALTER TABLE object_mappings ADD CONSTRAINT object_mappings_connector_stripe_object_key
         UNIQUE (connector, stripe_object)`,
    );
    await q.query(`ALTER TABLE object_mappings DROP COLUMN deleted_flag_property`);
  }
}

/** Literal values on purpose: a migration keeps meaning what it meant when it landed. */
async function insertMapping(
  q: QueryRunner,
  m: { id: string; crmObject: string; matchKeys: object[]; metadataKey: string; enabled: boolean },
  rows: Row[],
): Promise<void> {
  await q.query(
    `INSERT INTO object_mappings
       (id, connector, stripe_object, crm_object, direction, match_keys, stripe_id_property,
        crm_id_metadata_key, deleted_flag_property, enabled)
     VALUES ($1, 'salesforce', 'customer', $2, 'both', $3, 'Stripe_Customer_Id__c', $4,
             'Stripe_Deleted__c', $5)`,
    [m.id, m.crmObject, JSON.stringify(m.matchKeys), m.metadataKey, m.enabled],
  );
  let position = 0;
  for (const [key, stripePath, crmProperty, direction, transforms] of rows) {
    position += 1;
    await q.query(
      `INSERT INTO field_mappings
         (id, object_mapping_id, stripe_path, crm_property, direction, transforms, position)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        `${m.id}-${key}`,
        m.id,
        stripePath,
        crmProperty,
        direction,
        JSON.stringify(transforms),
        position,
      ],
    );
  }
}

/** Billing state every customer mapping writes to the CRM only. */
const BILLING: Row[] = [
  ['stripe-id', 'id', 'Stripe_Customer_Id__c', 'to_crm', []],
  ['delinquent', 'delinquent', 'Stripe_Delinquent__c', 'to_crm', [{ kind: 'boolean_string' }]],
  ['currency', 'currency', 'Stripe_Currency__c', 'to_crm', []],
  ['balance', 'balance', 'Stripe_Balance__c', 'to_crm', [{ kind: 'cents_to_decimal' }]],
  ['created', 'created', 'Stripe_Created__c', 'to_crm', [{ kind: 'unix_to_iso' }]],
];

/**
 * Stripe customer ↔ Contact. LastName is required by Salesforce: a customer without a last name
 * gets Salesforce's own placeholder, '[not provided]', which never flows back to Stripe.
 */
function seedContact(q: QueryRunner): Promise<void> {
  const trim = [{ kind: 'trim' }];
  return insertMapping(
    q,
    {
      id: 'salesforce-customer',
      crmObject: 'Contact',
      matchKeys: [
        { stripe: 'id', crm: ['Stripe_Customer_Id__c'] },
        { stripe: 'email', crm: ['Email'] },
      ],
      metadataKey: 'salesforce_contact_id',
      enabled: true,
    },
    [
      BILLING[0]!,
      ['email', 'email', 'Email', 'both', [{ kind: 'trim' }, { kind: 'lowercase' }]],
      ['first-name', 'name', 'FirstName', 'both', [...trim, { kind: 'name_part', part: 'first' }]],
      [
        'last-name',
        'name',
        'LastName',
        'both',
        [
          ...trim,
          { kind: 'name_part', part: 'last' },
          { kind: 'default', value: '[not provided]' },
        ],
      ],
      ['phone', 'phone', 'Phone', 'both', trim],
      ['address-line1', 'address.line1', 'MailingStreet', 'both', trim],
      ['address-line2', 'address.line2', 'Stripe_Address_Line2__c', 'both', trim],
      ['city', 'address.city', 'MailingCity', 'both', trim],
      ['postal-code', 'address.postal_code', 'MailingPostalCode', 'both', trim],
      ['state', 'address.state', 'MailingState', 'both', trim],
      ['country', 'address.country', 'MailingCountry', 'both', trim],
      ['description', 'description', 'Description', 'both', []],
      ...BILLING.slice(1),
    ],
  );
}

/**
 * Stripe customer ↔ Account, for B2B merchants whose customers are companies: the customer's
 * name is the Account Name (required), its email a custom field (Accounts have none).
 */
function seedAccount(q: QueryRunner): Promise<void> {
  const trim = [{ kind: 'trim' }];
  return insertMapping(
    q,
    {
      id: 'salesforce-customer-account',
      crmObject: 'Account',
      matchKeys: [
        { stripe: 'id', crm: ['Stripe_Customer_Id__c'] },
        { stripe: 'email', crm: ['Stripe_Email__c'] },
      ],
      metadataKey: 'salesforce_account_id',
      enabled: false,
    },
    [
      BILLING[0]!,
      ['name', 'name', 'Name', 'both', [...trim, { kind: 'default', value: '[not provided]' }]],
      ['email', 'email', 'Stripe_Email__c', 'both', [{ kind: 'trim' }, { kind: 'lowercase' }]],
      ['phone', 'phone', 'Phone', 'both', trim],
      ['address-line1', 'address.line1', 'BillingStreet', 'both', trim],
      ['address-line2', 'address.line2', 'Stripe_Address_Line2__c', 'both', trim],
      ['city', 'address.city', 'BillingCity', 'both', trim],
      ['postal-code', 'address.postal_code', 'BillingPostalCode', 'both', trim],
      ['state', 'address.state', 'BillingState', 'both', trim],
      ['country', 'address.country', 'BillingCountry', 'both', trim],
      ['description', 'description', 'Description', 'both', []],
      ...BILLING.slice(1),
    ],
  );
}
