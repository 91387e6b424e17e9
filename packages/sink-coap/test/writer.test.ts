import { DataException } from '@sluice/core';
import { mapRecord } from '@sluice/test-utils';
import { describe, expect, it } from 'vitest';
import { CoapTimeoutError, type CoapAnswer, type CoapEndpoint } from '../src/client.js';
import type { CoapRequest } from '../src/requests.js';
import { CoapServerError, CoapWriter, type PendingRequest } from '../src/writer.js';

/** An endpoint that answers after a tick, records the order and the concurrency it saw. */
class FakeEndpoint implements CoapEndpoint {
  readonly seen: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly perResource = new Map<string, number>();
  maxPerResource = 0;
  constructor(
    private readonly answer: (r: CoapRequest) => CoapAnswer | Error = () => ({
      code: '2.04',
      payload: Buffer.alloc(0),
    }),
  ) {}

  async send(request: CoapRequest): Promise<CoapAnswer | null> {
    const resource = request.resource.join('/');
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.perResource.set(resource, (this.perResource.get(resource) ?? 0) + 1);
    this.maxPerResource = Math.max(this.maxPerResource, this.perResource.get(resource)!);
    await new Promise((r) => setTimeout(r, 1 + Math.random() * 3));
    this.inFlight--;
    this.perResource.set(resource, this.perResource.get(resource)! - 1);
    this.seen.push(`${resource}:${request.payload?.toString()}`);
    const answer = this.answer(request);
    if (answer instanceof Error) throw answer;
    return answer;
  }
  describe(resource: readonly string[]): string {
    return `coap://127.0.0.1:5683/${resource.join('/')}`;
  }
  async close(): Promise<void> {}
}

function items(resources: string[], perResource: number): PendingRequest[] {
  const out: PendingRequest[] = [];
  for (let i = 0; i < perResource; i++)
    for (const r of resources)
      out.push({
        record: mapRecord({ i }, { topic: 'readings', offset: out.length }),
        request: { method: 'PUT', resource: [r], payload: Buffer.from(String(i)) },
      });
  return out;
}

describe('CoapWriter', () => {
  it('keeps each resource in record order, one request at a time per resource, within max.in.flight', async () => {
    const endpoint = new FakeEndpoint();
    const writer = new CoapWriter(endpoint, { connectorName: 'c', maxInFlight: 3 });
    const resources = ['a', 'b', 'c', 'd', 'e'];
    expect(await writer.write(items(resources, 10))).toEqual([]);
    expect(endpoint.seen).toHaveLength(50);
    expect(endpoint.maxInFlight).toBe(3);
    expect(endpoint.maxPerResource).toBe(1);
    for (const r of resources) {
      const order = endpoint.seen.filter((s) => s.startsWith(`${r}:`)).map((s) => Number(s.split(':')[1]));
      expect(order).toEqual([...Array(10).keys()]);
    }
  });

  it('refuses a record answered 4.xx on its own, naming resource, code and record', async () => {
    const endpoint = new FakeEndpoint((r) =>
      r.payload?.toString() === '1'
        ? { code: '4.13', payload: Buffer.from('too big') }
        : { code: '2.01', payload: Buffer.alloc(0) },
    );
    const writer = new CoapWriter(endpoint, { connectorName: 'coap-test', maxInFlight: 2 });
    const refused = await writer.write(items(['a'], 3));
    expect(endpoint.seen).toHaveLength(3);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.error).toBeInstanceOf(DataException);
    expect(refused[0]!.error.message).toMatch(
      /Connector coap-test: record at topic readings partition 0 offset 1: coap:\/\/127\.0\.0\.1:5683\/a refused the PUT with 4\.13 Request Entity Too Large \(too big\)/,
    );
  });

  it('fails the batch on 5.xx, and starts nothing after the failure', async () => {
    const endpoint = new FakeEndpoint((r) =>
      r.payload?.toString() === '2'
        ? { code: '5.03', payload: Buffer.alloc(0) }
        : { code: '2.04', payload: Buffer.alloc(0) },
    );
    const writer = new CoapWriter(endpoint, { connectorName: 'c', maxInFlight: 1 });
    await expect(writer.write(items(['a'], 6))).rejects.toThrow(CoapServerError);
    expect(endpoint.seen).toHaveLength(3);
    await expect(writer.write(items(['a'], 6))).rejects.toThrow(
      /answered the PUT with 5\.03 Service Unavailable/,
    );
  });

  it('fails the batch when a request times out', async () => {
    const endpoint = new FakeEndpoint(() => new CoapTimeoutError('no answer'));
    const writer = new CoapWriter(endpoint, { connectorName: 'c', maxInFlight: 4 });
    await expect(writer.write(items(['a', 'b'], 2))).rejects.toThrow(CoapTimeoutError);
  });

  it('counts a non-confirmable send (no answer) as done', async () => {
    const endpoint = new FakeEndpoint();
    endpoint.send = async () => null;
    const writer = new CoapWriter(endpoint, { connectorName: 'c', maxInFlight: 4 });
    expect(await writer.write(items(['a'], 3))).toEqual([]);
  });
});
