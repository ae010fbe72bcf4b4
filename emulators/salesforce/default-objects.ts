import type { FieldSpec, ObjectSpec } from './schema.js';

const owner: FieldSpec = {
  name: 'OwnerId',
  type: 'reference',
  referenceTo: ['User'],
  label: 'Owner ID',
};

const address = (prefix: string): FieldSpec[] => [
  { name: `${prefix}Street`, type: 'textarea', length: 255 },
  { name: `${prefix}City`, type: 'string', length: 40 },
  { name: `${prefix}State`, type: 'string', length: 80 },
  { name: `${prefix}PostalCode`, type: 'string', length: 20 },
  { name: `${prefix}Country`, type: 'string', length: 80 },
];

/** The standard objects a fresh emulated org knows (custom fields come from options). */
export const DEFAULT_OBJECTS: ObjectSpec[] = [
  {
    name: 'Account',
    keyPrefix: '001',
    fields: [
      { name: 'Name', type: 'string', length: 255, nillable: false, label: 'Account Name' },
      { name: 'Phone', type: 'phone' },
      { name: 'Website', type: 'url' },
      ...address('Billing'),
      { name: 'Description', type: 'textarea' },
      owner,
    ],
  },
  {
    name: 'Contact',
    keyPrefix: '003',
    fields: [
      { name: 'FirstName', type: 'string', length: 40, label: 'First Name' },
      { name: 'LastName', type: 'string', length: 80, nillable: false, label: 'Last Name' },
      { name: 'Name', type: 'string', length: 121, createable: false, updateable: false },
      { name: 'Email', type: 'email' },
      { name: 'Phone', type: 'phone' },
      ...address('Mailing'),
      { name: 'Description', type: 'textarea' },
      { name: 'AccountId', type: 'reference', referenceTo: ['Account'], label: 'Account ID' },
      owner,
    ],
  },
  {
    name: 'Opportunity',
    keyPrefix: '006',
    fields: [
      { name: 'Name', type: 'string', length: 120, nillable: false },
      {
        name: 'StageName',
        type: 'picklist',
        nillable: false,
        picklistValues: ['Prospecting', 'Qualification', 'Closed Won', 'Closed Lost'],
      },
      { name: 'CloseDate', type: 'date', nillable: false },
      { name: 'Amount', type: 'currency' },
      { name: 'AccountId', type: 'reference', referenceTo: ['Account'] },
      { name: 'Description', type: 'textarea' },
      owner,
    ],
  },
  {
    name: 'Task',
    keyPrefix: '00T',
    fields: [
      { name: 'Subject', type: 'string', length: 255 },
      {
        name: 'Status',
        type: 'picklist',
        nillable: false,
        defaultValue: 'Not Started',
        picklistValues: ['Not Started', 'In Progress', 'Completed'],
      },
      {
        name: 'Priority',
        type: 'picklist',
        nillable: false,
        defaultValue: 'Normal',
        picklistValues: ['High', 'Normal', 'Low'],
      },
      { name: 'ActivityDate', type: 'date' },
      { name: 'Description', type: 'textarea' },
      { name: 'WhoId', type: 'reference', referenceTo: ['Contact'], relationshipName: 'Who' },
      {
        name: 'WhatId',
        type: 'reference',
        referenceTo: ['Account', 'Opportunity', 'Product2'],
        relationshipName: 'What',
      },
      owner,
    ],
  },
  {
    name: 'Product2',
    keyPrefix: '01t',
    label: 'Product',
    fields: [
      { name: 'Name', type: 'string', length: 255, nillable: false, label: 'Product Name' },
      { name: 'ProductCode', type: 'string', length: 255 },
      { name: 'Description', type: 'textarea', length: 4000 },
      { name: 'Family', type: 'picklist' },
      { name: 'IsActive', type: 'boolean', label: 'Active' },
    ],
  },
  {
    name: 'User',
    keyPrefix: '005',
    fields: [
      { name: 'Username', type: 'string', length: 80, nillable: false, unique: true },
      { name: 'Name', type: 'string', length: 121 },
      { name: 'Email', type: 'email' },
    ],
  },
];
