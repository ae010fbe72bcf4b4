import { describe, expect, it } from '@jest/globals';
import { RecordStore } from '../../emulators/core/record-store.js';
import { SalesforceData, Txn } from '../../emulators/salesforce/data.js';
import { SchemaRegistry } from '../../emulators/salesforce/schema.js';
import { runSoql } from '../../emulators/salesforce/soql-eval.js';
import { parseSoql } from '../../emulators/salesforce/soql.js';
import { makeId, normalizeId } from '../../emulators/salesforce/util.js';

const user = makeId('005', 1);

function seeded() {
  const data = new SalesforceData(new RecordStore(), new SchemaRegistry());
  const txn = new Txn();
  const ids = [
    { LastName: 'Beta', Email: 'b@x.io' },
    { LastName: 'alpha' },
    { LastName: 'Gamma', Email: 'g@x.io' },
  ].map((r) => data.create('Contact', r, user, txn));
  data.commit(txn);
  return { data, ids };
}

const names = (data: SalesforceData, soql: string, all = false) =>
  runSoql(data, soql, all, 'v62.0').records.map((r) => r.LastName);

describe('SOQL subset', () => {
  it('parses datetime literals in both Salesforce forms', () => {
    for (const lit of ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000+0000']) {
      const q = parseSoql(`SELECT Id FROM Contact WHERE SystemModstamp > ${lit}`);
      expect(q.where).toMatchObject({ op: 'cmp', value: { kind: 'datetime', ms: 1767225600000 } });
    }
  });

  it('reads the records an Id filter names (15 or 18 characters), with the rest of the WHERE', () => {
    const { data, ids } = seeded();
    const [beta, alpha, gamma] = ids as [string, string, string];
    const inList = (list: string[]) => list.map((i) => `'${i}'`).join(', ');
    expect(
      names(
        data,
        `SELECT LastName FROM Contact WHERE Id IN (${inList([gamma, beta.slice(0, 15)])}) ORDER BY LastName`,
      ),
    ).toEqual(['Beta', 'Gamma']);
    expect(
      names(
        data,
        `SELECT LastName FROM Contact WHERE Id IN (${inList(ids)}) AND Email != null ORDER BY LastName`,
      ),
    ).toEqual(['Beta', 'Gamma']);
    expect(names(data, `SELECT LastName FROM Contact WHERE Id = '${alpha}'`)).toEqual(['alpha']);
    // A deleted record is named but only queryAll returns it.
    const txn = new Txn();
    data.remove(gamma, txn, 'Contact');
    data.commit(txn);
    const deleted = `SELECT LastName FROM Contact WHERE Id IN (${inList([gamma])}) AND IsDeleted = true`;
    expect(names(data, deleted)).toEqual([]);
    expect(names(data, deleted, true)).toEqual(['Gamma']);
    // An OR is not confined to the ids: it still scans.
    expect(
      names(
        data,
        `SELECT LastName FROM Contact WHERE Id = '${alpha}' OR LastName = 'beta' ORDER BY LastName`,
      ),
    ).toEqual(['alpha', 'Beta']);
  });

  it('compares text case-insensitively and orders nulls first ascending', () => {
    const { data } = seeded();
    expect(names(data, "SELECT LastName FROM Contact WHERE LastName = 'BETA'")).toEqual(['Beta']);
    expect(names(data, 'SELECT LastName FROM Contact ORDER BY Email, LastName')).toEqual([
      'alpha',
      'Beta',
      'Gamma',
    ]);
    expect(names(data, 'SELECT LastName FROM Contact ORDER BY Email DESC')).toEqual([
      'Gamma',
      'Beta',
      'alpha',
    ]);
    expect(
      names(data, "SELECT LastName FROM Contact WHERE NOT (LastName IN ('beta', 'gamma'))"),
    ).toEqual(['alpha']);
  });

  it('matches 15- and 18-char ids and hides the recycle bin from query', () => {
    const { data, ids } = seeded();
    const id15 = ids[0]!.slice(0, 15);
    expect(normalizeId(id15)).toBe(ids[0]);
    expect(names(data, `SELECT LastName FROM Contact WHERE Id IN ('${id15}')`)).toEqual(['Beta']);
    const txn = new Txn();
    data.remove(ids[0]!, txn);
    expect(names(data, 'SELECT LastName FROM Contact WHERE IsDeleted = true')).toEqual([]);
    expect(names(data, 'SELECT LastName FROM Contact WHERE IsDeleted = true', true)).toEqual([
      'Beta',
    ]);
  });

  it('rejects mixed AND/OR without parentheses, subqueries and relationship fields', () => {
    for (const soql of [
      "SELECT Id FROM Contact WHERE LastName = 'a' AND Email = null OR Phone = null",
      'SELECT Id FROM Contact WHERE Id IN (SELECT ContactId FROM Task)',
      'SELECT Account.Name FROM Contact',
      'SELECT Id FROM Contact WHERE CreatedDate = TODAY',
    ]) {
      expect(() => parseSoql(soql)).toThrow(/MALFORMED_QUERY/);
    }
  });
});
