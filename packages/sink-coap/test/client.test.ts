import { createSocket, type Socket } from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoapClient, CoapTimeoutError } from '../src/client.js';
import { parseServerUri, type CoapSinkConfig } from '../src/config.js';

// The client against a UDP socket that receives and never answers: a server that has gone silent.

let silent: Socket;
let received: number;

beforeEach(async () => {
  received = 0;
  silent = createSocket('udp4');
  silent.on('message', () => received++);
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
});
afterEach(() => silent.close());

function config(extra: Partial<CoapSinkConfig> = {}): CoapSinkConfig {
  return {
    server: parseServerUri(`coap://127.0.0.1:${silent.address().port}`),
    method: 'PUT',
    confirmable: true,
    maxInFlight: 1,
    blockSize: 1024,
    requestTimeoutMs: 300,
    deleteOnStop: [],
    tombstones: 'fail',
    ...extra,
  };
}

describe('CoapClient', () => {
  it('gives up a confirmable request without an answer after connect.coap.request.timeout', async () => {
    const client = await CoapClient.open(config());
    try {
      const failure = await client
        .send({ method: 'PUT', resource: ['a'], payload: Buffer.from('{}') })
        .catch((e) => e);
      expect(failure).toBeInstanceOf(CoapTimeoutError);
      expect((failure as Error).message).toMatch(
        /no answer from coap:\/\/127\.0\.0\.1:\d+\/a to PUT within 300 ms/,
      );
      expect(received).toBeGreaterThanOrEqual(1);
    } finally {
      await client.close();
    }
  });

  it('counts a non-confirmable request as done once sent', async () => {
    const client = await CoapClient.open(config({ confirmable: false }));
    try {
      expect(await client.send({ method: 'POST', resource: ['a'], payload: Buffer.from('{}') })).toBeNull();
    } finally {
      await client.close();
    }
  });

  it('fails the requests still waiting when it is closed', async () => {
    const client = await CoapClient.open(config({ requestTimeoutMs: 60_000 }));
    const pending = client
      .send({ method: 'PUT', resource: ['a'], payload: Buffer.from('{}') })
      .catch((e) => e);
    await new Promise((r) => setTimeout(r, 20));
    await client.close();
    expect(((await pending) as Error).message).toMatch(/closed/);
  });
});
