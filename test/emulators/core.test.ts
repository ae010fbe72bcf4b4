import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EmulatorHttp } from '../../emulators/core/emulator-http.js';
import { FaultPlan } from '../../emulators/core/faults.js';
import { RecordStore } from '../../emulators/core/record-store.js';

describe('RecordStore', () => {
  it('orders timestamps strictly, counts writes, and resets', () => {
    const s = new RecordStore();
    const a = s.insert('contact', '1', { email: 'a' });
    const b = s.insert('contact', '2', { email: 'b' });
    expect(b.createdAt).toBeGreaterThan(a.createdAt);
    const updated = s.update('contact', '1', { email: 'a2' });
    expect(updated.updatedAt).toBeGreaterThan(b.createdAt);
    expect(updated.version).toBe(2);
    s.setArchived('contact', '2', true);
    expect(
      s.find<{ email: string }>('contact', (r) => !r.archived).map((r) => r.data.email),
    ).toEqual(['a2']);
    expect(s.writeCount('contact')).toBe(4);
    s.reset();
    expect(s.all('contact')).toEqual([]);
    expect(s.writeCount()).toBe(0);
  });
});

describe('FaultPlan', () => {
  it('spends a fault after count matching requests and matches by method and path', () => {
    const p = new FaultPlan();
    p.addFault({
      method: 'POST',
      path: '/v1/customers',
      count: 2,
      fault: { kind: 'status', status: 500 },
    });
    expect(p.takeFault('GET', '/v1/customers')).toBeNull();
    expect(p.takeFault('POST', '/v1/customers/cus_1')).toEqual({ kind: 'status', status: 500 });
    expect(p.takeFault('POST', '/v1/customers')).not.toBeNull();
    expect(p.takeFault('POST', '/v1/customers')).toBeNull();
  });

  it('adds latency per route and accepts ^regex paths', () => {
    const p = new FaultPlan();
    p.setLatency({ path: '^/crm/v3/objects/[a-z]+/search$', ms: 50 });
    expect(p.latencyFor('POST', '/crm/v3/objects/contacts/search')).toBe(50);
    expect(p.latencyFor('POST', '/crm/v3/objects/contacts')).toBe(0);
  });
});

describe('EmulatorHttp control API', () => {
  const http = new EmulatorHttp('test');
  let resets = 0;
  let base: string;

  beforeAll(async () => {
    http.app.get('/thing', () => Promise.resolve({ ok: true }));
    http.onReset(() => (resets += 1));
    base = await http.listen();
  });
  afterAll(() => http.close());

  const control = (path: string, body: unknown) =>
    fetch(`${base}/_emulator/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('injects N faults, then serves normally, and logs what it served', async () => {
    await control('faults', {
      path: '/thing',
      count: 2,
      status: 429,
      body: { policyName: 'X' },
      headers: { 'retry-after': '1' },
    });
    const first = await fetch(`${base}/thing`);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('1');
    await expect(first.json()).resolves.toEqual({ policyName: 'X' });
    expect((await fetch(`${base}/thing`)).status).toBe(429);
    expect((await fetch(`${base}/thing`)).status).toBe(200);
    const log = (await (await fetch(`${base}/_emulator/requests?path=/thing`)).json()) as {
      data: { status: number }[];
    };
    expect(log.data.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('adds latency, drops connections on request, and resets everything', async () => {
    await control('latency', { path: '/thing', ms: 120 });
    const t0 = Date.now();
    await fetch(`${base}/thing`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
    await control('latency', { path: '/thing', ms: 0 });

    await control('faults', { path: '/thing', reset: true });
    await expect(fetch(`${base}/thing`)).rejects.toThrow();

    await control('reset', {});
    expect(resets).toBe(1);
    expect(http.requests()).toEqual([]);
  });
});
