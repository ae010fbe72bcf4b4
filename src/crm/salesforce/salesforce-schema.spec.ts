import { describe, expect, test } from '@jest/globals';
import type { CrmPropertyDefinition } from '../crm-connector.js';
import { missingFieldsError, missingFieldsMessage, type SfFieldMeta } from './salesforce-schema.js';

const def = (name: string, type: CrmPropertyDefinition['type'] = 'string', unique = false) => ({
  name,
  label: name,
  type,
  ...(unique ? { unique } : {}),
});

const ACCESS =
  'the integration user read and edit access (field-level security, in its profile or a permission set) to';

describe('missingFieldsMessage', () => {
  test.each<[string, CrmPropertyDefinition[], string]>([
    [
      'custom fields: create them, with their types',
      [def('Stripe_Balance__c', 'number'), def('Stripe_Created__c', 'datetime')],
      'Create these fields on Contact: Stripe_Balance__c (Number(15,3)), Stripe_Created__c (Date/Time)',
    ],
    [
      'a standard field (hidden by field-level security): grant access',
      [def('MailingStreet')],
      `Grant ${ACCESS} Contact.MailingStreet`,
    ],
    [
      'both kinds: one message says both',
      [def('MailingStreet'), def('Stripe_Customer_Id__c', 'string', true), def('Phone')],
      `Create these fields on Contact: Stripe_Customer_Id__c (Text(255), External ID, Unique); and grant ${ACCESS} Contact.MailingStreet, Contact.Phone`,
    ],
    [
      'a managed-package field counts as custom',
      [def('ns__Score__c', 'bool')],
      'Create these fields on Contact: ns__Score__c (Checkbox)',
    ],
  ])('%s', (_, missing, want) => expect(missingFieldsMessage('Contact', missing)).toBe(want));
});

describe('missingFieldsError', () => {
  const field = (name: string): SfFieldMeta => ({
    name,
    label: name,
    type: 'string',
    externalId: false,
    unique: false,
    createable: true,
    updateable: true,
  });

  test('null when describe lists every field (names compared without case)', () => {
    expect(
      missingFieldsError('Contact', [field('Email'), field('Stripe_Plan__c')], [def('email')]),
    ).toBeNull();
  });

  test('names only what is missing, as missing_fields, not retryable', () => {
    const err = missingFieldsError(
      'Contact',
      [field('Email')],
      [def('Email'), def('MailingCity'), def('Stripe_Plan__c')],
    );
    expect(err).toMatchObject({ code: 'missing_fields', retryable: false });
    expect(err?.message).toBe(
      `Create these fields on Contact: Stripe_Plan__c (Text(255)); and grant ${ACCESS} Contact.MailingCity`,
    );
  });
});
