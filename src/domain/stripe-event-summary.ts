/**
 * What the inbox records about a Stripe event besides its payload: enough for workers to
 * route and order work without parsing the payload again.
 */
export interface StripeEventSummary {
  id: string;
  type: string;
  objectType: string | null;
  objectId: string | null;
  createdAt: Date;
  livemode: boolean;
  apiVersion: string | null;
  account: string | null;
}

export type SummaryResult =
  { ok: true; summary: StripeEventSummary } | { ok: false; message: string };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const optionalString = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : null;

/** Reads the fields the bridge relies on from a parsed event; says which one is wrong if any. */
export function summarizeStripeEvent(event: unknown): SummaryResult {
  if (!isRecord(event)) return { ok: false, message: 'the body is not a JSON object' };
  const { id, type, created, livemode, data } = event;
  if (typeof id !== 'string' || !id.startsWith('evt_')) {
    return { ok: false, message: 'the event has no "id" starting with evt_' };
  }
  if (event.object !== 'event')
    return { ok: false, message: 'the body is not a Stripe event (object != "event")' };
  if (typeof type !== 'string' || type === '')
    return { ok: false, message: 'the event has no "type"' };
  if (typeof created !== 'number' || !Number.isInteger(created) || created <= 0) {
    return { ok: false, message: 'the event has no "created" unix timestamp' };
  }
  if (typeof livemode !== 'boolean')
    return { ok: false, message: 'the event has no boolean "livemode"' };
  const object = isRecord(data) && isRecord(data.object) ? data.object : null;
  // Thin events (v2 "event notifications") carry related_object instead of data.object.
  const related = isRecord(event.related_object) ? event.related_object : null;
  const source = object ?? related;
  return {
    ok: true,
    summary: {
      id,
      type,
      objectType: optionalString(source?.object) ?? optionalString(source?.type),
      objectId: optionalString(source?.id),
      createdAt: new Date(created * 1000),
      livemode,
      apiVersion: optionalString(event.api_version),
      account: optionalString(event.account),
    },
  };
}
