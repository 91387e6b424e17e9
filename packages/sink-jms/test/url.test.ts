import { describe, expect, it } from 'vitest';
import { parseJmsUrl } from '../src/url.js';

describe('connect.jms.url', () => {
  it('takes a STOMP URL, with the STOMP default ports', () => {
    expect(parseJmsUrl('stomp://broker:61613')).toEqual([
      { host: 'broker', port: 61613, tls: false, url: 'stomp://broker:61613' },
    ]);
    expect(parseJmsUrl('stomp://broker')[0]).toMatchObject({ port: 61613, tls: false });
    expect(parseJmsUrl('stomp+ssl://broker')[0]).toMatchObject({ port: 61612, tls: true });
    expect(parseJmsUrl('stomp+ssl://[::1]:7000')[0]).toMatchObject({ host: '::1', port: 7000, tls: true });
  });

  it('takes a failover list of STOMP URLs, with or without parentheses and options', () => {
    const brokers = parseJmsUrl('failover:(stomp://a:61613,stomp+ssl://b:61612)?randomize=false');
    expect(brokers.map((b) => [b.host, b.port, b.tls])).toEqual([
      ['a', 61613, false],
      ['b', 61612, true],
    ]);
    expect(parseJmsUrl('failover:stomp://a:1,stomp://b:2').map((b) => b.port)).toEqual([1, 2]);
  });

  it("refuses the Java client's URLs, giving the STOMP URL to use", () => {
    expect(() => parseJmsUrl('tcp://activemq:61616')).toThrow(
      /Java \(tcp\) URL.*Use its STOMP connector instead, e\.g\. stomp:\/\/activemq:61613/,
    );
    expect(() => parseJmsUrl('ssl://activemq:61617')).toThrow(/e\.g\. stomp\+ssl:\/\/activemq:61612/);
    expect(() => parseJmsUrl('failover:(tcp://a:61616,tcp://b:61616)')).toThrow(
      /e\.g\. failover:\(stomp:\/\/a:61613,stomp:\/\/b:61613\)/,
    );
  });

  it('says what is wrong with other URLs', () => {
    expect(() => parseJmsUrl('')).toThrow(/set the STOMP URL/);
    expect(() => parseJmsUrl('http://x')).toThrow(/scheme http:\/\/; use stomp:\/\/ or stomp\+ssl:\/\//);
    expect(() => parseJmsUrl('broker:61613')).toThrow(/not a URL/);
    expect(() => parseJmsUrl('stomp://a,stomp://b')).toThrow(
      /write them as failover:\(stomp:\/\/a,stomp:\/\/b\)/,
    );
    expect(() => parseJmsUrl('stomp://:61613')).toThrow(/no host/);
    expect(() => parseJmsUrl('stomp://a:99999')).toThrow(/not a TCP port/);
    expect(() => parseJmsUrl('failover:(stomp://a')).toThrow(/does not close/);
  });
});
