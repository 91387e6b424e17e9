import type { KcqlStatement } from '@sluice/core';
import { parseKcqlList } from '@sluice/kcql';
import { describe, expect, it } from 'vitest';
import { compileRoute } from '../src/routes.js';
import { parseStaticHeaders } from '../src/static-headers.js';

const noHeaders = { staticHeaders: parseStaticHeaders('') };
const route = (kcql: string, settings = noHeaders) =>
  compileRoute(parseKcqlList(kcql)[0] as KcqlStatement, settings);

describe('KCQL statements', () => {
  it('route to a queue or a topic by WITHTYPE, JSON by default', () => {
    expect(route('INSERT INTO jmsA SELECT * FROM topicA WITHTYPE QUEUE')).toMatchObject({
      kind: 'QUEUE',
      name: 'jmsA',
      destination: '/queue/jmsA',
      format: 'JSON',
      selectsAll: true,
    });
    expect(
      route('INSERT INTO jmsB SELECT x AS a, y, z FROM topicB WITHFORMAT JSON WITHTYPE TOPIC'),
    ).toMatchObject({
      kind: 'TOPIC',
      destination: '/topic/jmsB',
      format: 'JSON',
      selectsAll: false,
    });
    // Stream Reactor's documentation writes WITHFORMAT after WITHTYPE too: it is honoured either way.
    expect(route('INSERT INTO orders SELECT * FROM orders WITHTYPE QUEUE WITHFORMAT AVRO').format).toBe(
      'AVRO',
    );
    for (const format of ['TEXT', 'AVRO', 'BINARY', 'MAP'])
      expect(route(`INSERT INTO q SELECT * FROM t WITHFORMAT ${format} WITHTYPE QUEUE`).format).toBe(format);
  });

  it('require WITHTYPE, as Stream Reactor does', () => {
    expect(() => route('INSERT INTO jmsA SELECT * FROM topicA')).toThrow(
      /WITHTYPE not set for kcql INSERT INTO jmsA\. Provide WITHTYPE=TOPIC or WITHTYPE=QUEUE/,
    );
    expect(() => route('INSERT INTO jmsA SELECT * FROM topicA WITHTYPE BUCKET')).toThrow(
      /WITHTYPE BUCKET is not QUEUE or TOPIC/,
    );
  });

  it('refuse OBJECT and PROTOBUF, naming what to use instead', () => {
    expect(() => route('INSERT INTO q SELECT * FROM t WITHFORMAT OBJECT WITHTYPE QUEUE')).toThrow(
      /Java-serialized ObjectMessage.*Use WITHFORMAT MAP/,
    );
    expect(() => route('INSERT INTO q SELECT * FROM t WITHFORMAT PROTOBUF WITHTYPE QUEUE')).toThrow(
      /PROTOBUF is not supported/,
    );
  });

  it('refuse a select list where the value is sent as it is (TEXT, BINARY) or nested paths in AVRO', () => {
    expect(() => route('INSERT INTO q SELECT a FROM t WITHFORMAT TEXT WITHTYPE QUEUE')).toThrow(
      /TEXT sends the value as it is/,
    );
    expect(() => route('INSERT INTO q SELECT * FROM t IGNORE a WITHFORMAT BINARY WITHTYPE QUEUE')).toThrow(
      /BINARY/,
    );
    expect(() => route('INSERT INTO q SELECT a.b FROM t WITHFORMAT AVRO WITHTYPE QUEUE')).toThrow(
      /top-level fields of the value only/,
    );
    expect(
      route('INSERT INTO q SELECT a, b AS c FROM t IGNORE d WITHFORMAT AVRO WITHTYPE QUEUE').format,
    ).toBe('AVRO');
  });

  it('carry the static headers of their destination as frame headers', () => {
    const r = route('INSERT INTO orders SELECT * FROM t WITHTYPE QUEUE', {
      staticHeaders: parseStaticHeaders(
        'orders=JMSType:Order,JMSDeliveryMode:NON_PERSISTENT,origin:kafka;other=a:b',
      ),
    });
    expect(r.staticHeaders).toEqual([
      ['type', 'Order'],
      ['persistent', 'false'],
      ['origin', 'kafka'],
    ]);
  });
});
