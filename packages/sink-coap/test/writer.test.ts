import { DataException } from '@sluice/core/sink';
import { describe, expect, it } from 'vitest';
import { CoapResetError, CoapTimeoutError, type CoapAnswer, type CoapEndpoint } from '../src/client.js';
import type { CoapRequest } from '../src/requests.js';
import { DtlsRefusedError } from '../src/transport.js';
import { CoapServerError, classifyCoapError, sendInOrder } from '../src/writer.js';

/** An endpoint that answers after a tick and records the order and the concurrency it saw. */
class FakeEndpoint implements CoapEndpoint {
  readonly seen: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    private readonly answer: (r: CoapRequest) => CoapAnswer | null | Error = () => ({
      code: '2.04',
      payload: Buffer.alloc(0),
    }),
  ) {}

  async send(request: CoapRequest): Promise<CoapAnswer | null> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, 1 + Math.random() * 2));
    this.inFlight--;
    this.seen.push(request.payload?.toString() ?? '');
    const answer = this.answer(request);
    if (answer instanceof Error) throw answer;
    return answer;
  }
  describe(resource: readonly string[]): string {
    return `coap://127.0.0.1:5683/${resource.join('/')}`;
  }
  async close(): Promise<void> {}
}

const requests = (n: number): CoapRequest[] =>
  Array.from({ length: n }, (_, i) => ({ method: 'PUT', resource: ['a'], payload: Buffer.from(String(i)) }));

describe('sendInOrder', () => {
  it('sends one request at a time, in order', async () => {
    const endpoint = new FakeEndpoint();
    expect(await sendInOrder(endpoint, requests(10))).toEqual([]);
    expect(endpoint.seen).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(endpoint.maxInFlight).toBe(1);
  });

  it('refuses a request answered 4.xx on its own, naming resource and code', async () => {
    const endpoint = new FakeEndpoint((r) =>
      r.payload?.toString() === '1'
        ? { code: '4.13', payload: Buffer.from('too big') }
        : { code: '2.01', payload: Buffer.alloc(0) },
    );
    const refused = await sendInOrder(endpoint, requests(3));
    expect(endpoint.seen).toHaveLength(3);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.index).toBe(1);
    expect(refused[0]!.error).toBeInstanceOf(DataException);
    expect((refused[0]!.error as Error).message).toBe(
      'coap://127.0.0.1:5683/a refused the PUT with 4.13 Request Entity Too Large (too big).',
    );
    expect(classifyCoapError(refused[0]!.error)).toBeUndefined(); // the kit's default: DataException → data
  });

  it('fails the batch on 5.xx and sends nothing after it', async () => {
    const endpoint = new FakeEndpoint((r) =>
      r.payload?.toString() === '2'
        ? { code: '5.03', payload: Buffer.alloc(0) }
        : { code: '2.04', payload: Buffer.alloc(0) },
    );
    const failure = await sendInOrder(endpoint, requests(6)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CoapServerError);
    expect((failure as Error).message).toMatch(/answered the PUT with 5\.03 Service Unavailable/);
    expect(endpoint.seen).toEqual(['0', '1', '2']);
  });

  it('counts a non-confirmable send (no answer) as done', async () => {
    expect(await sendInOrder(new FakeEndpoint(() => null), requests(3))).toEqual([]);
  });

  it('classifies timeouts, resets and 5.xx as transient, a refused DTLS key as fatal', async () => {
    await expect(
      sendInOrder(new FakeEndpoint(() => new CoapTimeoutError('no answer')), requests(2)),
    ).rejects.toThrow(CoapTimeoutError);
    expect(classifyCoapError(new CoapTimeoutError('x'))).toBe('transient');
    expect(classifyCoapError(new CoapResetError('x'))).toBe('transient');
    expect(classifyCoapError(new CoapServerError('x', '5.00'))).toBe('transient');
    expect(classifyCoapError(new DtlsRefusedError('x'))).toBe('fatal');
    expect(classifyCoapError(new Error('other'))).toBeUndefined();
  });
});
