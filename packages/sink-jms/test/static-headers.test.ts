import { describe, expect, it } from 'vitest';
import { parseStaticHeaders, persistentHeader, stompHeaderFor } from '../src/static-headers.js';

describe('connect.jms.headers', () => {
  it('reads dest=K:V,K:V;dest2=K:V', () => {
    const h = parseStaticHeaders('orders=JMSType:Order, origin:kafka ; audit=JMSXGroupID:all');
    expect([...h.get('orders')!]).toEqual([
      ['JMSType', 'Order'],
      ['origin', 'kafka'],
    ]);
    expect([...h.get('audit')!]).toEqual([['JMSXGroupID', 'all']]);
    expect(parseStaticHeaders('').size).toBe(0);
  });

  it('keeps colons inside values and refuses malformed groups', () => {
    expect(parseStaticHeaders('q=JMSReplyTo:/queue/replies').get('q')!.get('JMSReplyTo')).toBe(
      '/queue/replies',
    );
    expect(() => parseStaticHeaders('orders')).toThrow(/is not <destination>=<name>:<value>/);
    expect(() => parseStaticHeaders('orders=JMSType')).toThrow(/is not <name>:<value>/);
  });

  it('maps JMS header fields to their STOMP frame headers', () => {
    expect(stompHeaderFor('JMSType')).toBe('type');
    expect(stompHeaderFor('JMSCorrelationID')).toBe('correlation-id');
    expect(stompHeaderFor('JMSReplyTo')).toBe('reply-to');
    expect(stompHeaderFor('custom')).toBe('custom');
    expect(persistentHeader('NON_PERSISTENT')).toBe('false');
    expect(persistentHeader('PERSISTENT')).toBe('true');
  });
});
