import { afterEach, describe, expect, it } from 'vitest';
import {
  BrokerLoginRefused,
  BrokerUnavailable,
  DestinationRefused,
  StompSession,
  type StompMessage,
} from '../src/stomp-session.js';
import { parseJmsUrl } from '../src/url.js';
import { FakeBroker } from './fake-broker.js';

const brokers: FakeBroker[] = [];
const sessions: StompSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
  for (const b of brokers.splice(0)) await b.stop();
});

async function broker(): Promise<FakeBroker> {
  const b = await FakeBroker.start();
  brokers.push(b);
  return b;
}

const logs: string[] = [];
function session(url: string, extra: { username?: string; timeoutMs?: number } = {}): StompSession {
  const s = new StompSession({
    brokers: parseJmsUrl(url),
    username: extra.username ?? '',
    password: extra.username ? 'secret' : '',
    timeoutMs: extra.timeoutMs ?? 2_000,
    describe: 'Connector c task 0',
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(m) },
  });
  sessions.push(s);
  return s;
}

const msg = (destination: string, body: string): StompMessage => ({
  destination,
  headers: { persistent: 'true' },
  body,
});

describe('the STOMP session', () => {
  it('sends a batch in one transaction and resolves at the COMMIT receipt', async () => {
    const b = await broker();
    const s = session(`stomp://127.0.0.1:${b.port}`);
    await expect(
      s.commit([msg('/queue/a', '1'), msg('/queue/a', '2'), msg('/topic/b', '3')]),
    ).resolves.toEqual({ committed: true });
    expect(
      b.committed.map((f) => [
        f.headers['destination'],
        f.body,
        f.headers['persistent'],
        f.headers['transaction'] !== undefined,
      ]),
    ).toEqual([
      ['/queue/a', '1', 'true', true],
      ['/queue/a', '2', 'true', true],
      ['/topic/b', '3', 'true', true],
    ]);
    // A receipt only on the first SEND to each destination (to name a refused destination), not on every message.
    expect(b.committed.map((f) => f.headers['receipt'] !== undefined)).toEqual([true, false, true]);
  });

  it('names the destination the broker refused, with nothing committed, and reconnects for the next batch', async () => {
    const b = await broker();
    b.refuse.add('/queue/forbidden');
    const s = session(`stomp://127.0.0.1:${b.port}`);
    const result = await s.commit([msg('/queue/a', '1'), msg('/queue/forbidden', '2'), msg('/queue/a', '3')]);
    expect(result.committed).toBe(false);
    const refused = (result as { refused: DestinationRefused }).refused;
    expect(refused).toBeInstanceOf(DestinationRefused);
    expect(refused.destination).toBe('/queue/forbidden');
    expect(refused.message).toMatch(/refused the destination \/queue\/forbidden: not authorized/);
    expect(b.committed).toEqual([]);
    await expect(s.commit([msg('/queue/a', '1'), msg('/queue/a', '3')])).resolves.toEqual({
      committed: true,
    });
    expect(b.committed.map((f) => f.body)).toEqual(['1', '3']);
    expect(b.connects).toBe(2);
  });

  it('a refused login is fatal (BrokerLoginRefused), not retried', async () => {
    const b = await broker();
    b.login = 'app';
    const s = session(`stomp://127.0.0.1:${b.port}`, { username: 'intruder' });
    const error = await s.open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerLoginRefused);
    expect((error as Error).message).toMatch(
      /refused the login: User name \[intruder\] or password is invalid/,
    );
    expect(b.connects).toBe(1);
  });

  it('a broker that is down or drops the connection is transient (BrokerUnavailable), after retries with back-off', async () => {
    const b = await broker();
    const port = b.port;
    await b.stop();
    brokers.pop();
    const started = Date.now();
    const error = await session(`stomp://127.0.0.1:${port}`, { timeoutMs: 700 })
      .open()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerUnavailable);
    expect((error as Error).message).toMatch(
      /cannot connect to stomp:\/\/127\.0\.0\.1:\d+ within 700 ms: connect ECONNREFUSED/,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
  });

  it('a COMMIT without receipt in time fails the batch as transient', async () => {
    const b = await broker();
    b.silentCommit = true;
    const s = session(`stomp://127.0.0.1:${b.port}`, { timeoutMs: 300 });
    await expect(s.commit([msg('/queue/a', '1')])).rejects.toThrow(
      /no receipt for the COMMIT of 1 message\(s\) within 300 ms/,
    );
  });

  it('a connection lost in the middle of a batch fails it as transient; the next batch reconnects', async () => {
    const b = await broker();
    b.silentCommit = true;
    const s = session(`stomp://127.0.0.1:${b.port}`, { timeoutMs: 5_000 });
    const pending = s.commit([msg('/queue/a', '1')]);
    await new Promise((r) => setTimeout(r, 100));
    b.dropConnections();
    await expect(pending).rejects.toBeInstanceOf(BrokerUnavailable);
    b.silentCommit = false;
    await expect(s.commit([msg('/queue/a', '2')])).resolves.toEqual({ committed: true });
    expect(b.committed.map((f) => f.body)).toEqual(['2']);
  });

  it('fails over to the next broker of the list', async () => {
    const down = await broker();
    const downPort = down.port;
    await down.stop();
    brokers.pop();
    const up = await broker();
    const s = session(`failover:(stomp://127.0.0.1:${downPort},stomp://127.0.0.1:${up.port})`);
    await expect(s.commit([msg('/queue/a', '1')])).resolves.toEqual({ committed: true });
    expect(up.committed).toHaveLength(1);
  });
});
