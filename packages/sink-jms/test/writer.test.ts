import { afterEach, describe, expect, it } from 'vitest';
import { DestinationRefused, StompSession } from '../src/stomp-session.js';
import { parseJmsUrl } from '../src/url.js';
import { writeMessages } from '../src/writer.js';
import { FakeBroker } from './fake-broker.js';

let broker: FakeBroker | undefined;
let session: StompSession | undefined;
afterEach(async () => {
  await session?.close();
  await broker?.stop();
});

describe('writing a batch', () => {
  it("commits the others and reports each message of a refused destination as that item's failure", async () => {
    broker = await FakeBroker.start();
    broker.refuse.add('/queue/forbidden');
    broker.refuse.add('/topic/closed');
    session = new StompSession({
      brokers: parseJmsUrl(`stomp://127.0.0.1:${broker.port}`),
      username: '',
      password: '',
      timeoutMs: 2_000,
      describe: 'c',
      log: { info: () => undefined, warn: () => undefined },
    });
    const dest = [
      '/queue/a',
      '/queue/forbidden',
      '/queue/a',
      '/topic/closed',
      '/queue/forbidden',
      '/topic/b',
    ];
    const failures = await writeMessages(
      session,
      dest.map((destination, i) => ({ destination, headers: {}, body: String(i) })),
    );
    expect(failures.map((f) => f.index)).toEqual([1, 4, 3]);
    expect(failures.every((f) => f.error instanceof DestinationRefused)).toBe(true);
    expect(broker.committed.map((f) => f.body)).toEqual(['0', '2', '5']);
  });
});
