import { describe, expect, test } from '@jest/globals';
import { constraintViolation, describeViolation } from './constraint-violation.js';

describe('constraintViolation', () => {
  test.each<[string, unknown, ReturnType<typeof constraintViolation>]>([
    [
      'TypeORM QueryFailedError around a unique violation',
      {
        query: 'INSERT …',
        parameters: ['ada@example.com'],
        driverError: { code: '23505', constraint: 'links_connector_crm_object_crm_id_key' },
      },
      { code: '23505', constraint: 'links_connector_crm_object_crm_id_key' },
    ],
    [
      'a bare pg error (check)',
      { code: '23514', constraint: 'c' },
      { code: '23514', constraint: 'c' },
    ],
    ['no constraint name', { code: '23502' }, { code: '23502', constraint: null }],
    ['a deadlock is not one', { code: '40P01' }, null],
    ['a connection error is not one', new Error('ECONNRESET'), null],
    ['nothing', undefined, null],
  ])('%s', (_name, err, expected) => {
    expect(constraintViolation(err)).toStrictEqual(expected);
  });
});

describe('describeViolation', () => {
  test.each([
    [
      { code: '23505', constraint: 'links_connector_crm_object_crm_id_key' },
      /links_connector_crm_object_crm_id_key \(SQLSTATE 23505\); .*unique key/,
    ],
    [
      { code: '23514', constraint: 'test_poison_record' },
      /test_poison_record \(SQLSTATE 23514\); a value of the record breaks a check/,
    ],
    [
      { code: '23502', constraint: null },
      /^constraint_violation: 23502 \(SQLSTATE 23502\); a value the record needs is missing/,
    ],
    [
      { code: '23P01', constraint: 'x' },
      /x \(SQLSTATE 23P01\); the record breaks an integrity constraint/,
    ],
  ])('%j', (v, expected) => {
    expect(describeViolation(v)).toMatch(expected);
  });
});
