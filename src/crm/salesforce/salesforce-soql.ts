import type { CrmValue } from '../crm-connector.js';

/** SOQL caps a statement's length (100k chars); 200 ids/values a query stays far below it. */
export const SOQL_CHUNK = 200;

const ID_RE = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** A Salesforce record id has 15 or 18 alphanumerics; anything else cannot name a record. */
export const isSalesforceId = (id: string): boolean => ID_RE.test(id);

const FIELD_RE = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Field and sObject names go into SOQL unquoted, so they must be plain identifiers: a caller
 * bug (or a hostile mapping) must not be able to inject SOQL through a name.
 */
export function soqlName(name: string): string {
  if (!FIELD_RE.test(name)) throw new Error(`not a Salesforce field or object name: ${name}`);
  return name;
}

/** A quoted SOQL string literal; backslash and quote are the characters SOQL escapes. */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `Id, SystemModstamp` plus the wanted fields, once each (SOQL rejects duplicates). */
export function selectList(properties: string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of ['Id', 'SystemModstamp', ...properties]) {
    const key = p.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(soqlName(p));
  }
  return out.join(', ');
}

/** A datetime literal as SOQL wants it: unquoted ISO 8601 in UTC. */
export const soqlDateTime = (d: Date): string => d.toISOString();

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A field value narrowed to the port's scalars (compound fields such as addresses as JSON). */
export function toCrmValue(v: unknown): CrmValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

/** Looks a field up in a returned row; SOQL answers with canonical casing ("email" → "Email"). */
export function fieldOf(row: Record<string, unknown>, name: string): unknown {
  if (name in row) return row[name];
  const lower = name.toLowerCase();
  const key = Object.keys(row).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : row[key];
}

/** Keyset position for listChanges: the last SystemModstamp and Id of the previous page. */
export interface ChangeCursor {
  stamp: string;
  id: string;
}

export function encodeCursor(c: ChangeCursor): string {
  return Buffer.from(JSON.stringify([c.stamp, c.id])).toString('base64url');
}

export function decodeCursor(token: string): ChangeCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (
    !Array.isArray(parsed) ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string' ||
    Number.isNaN(Date.parse(parsed[0])) ||
    !isSalesforceId(parsed[1])
  ) {
    throw new Error(`invalid listChanges page token: ${token}`);
  }
  return { stamp: parsed[0], id: parsed[1] };
}
