import { describe, expect, it } from 'vitest';
import { NanoClock, fromNanos, parseIsoInstant, secondsToNanos } from '../src/timestamps.js';

describe('timestamps', () => {
  it('parses ISO-8601 instants with a zone to the nanosecond', () => {
    expect(parseIsoInstant('1970-01-01T00:00:00Z')).toBe(0n);
    expect(parseIsoInstant('2024-01-02T03:04:05.000000001Z')).toBe(1704164645000000001n);
    expect(parseIsoInstant('2024-01-02T04:04:05.5+01:00')).toBe(1704164645500000000n);
    expect(parseIsoInstant('2024-01-02T04:04:05.5+0100')).toBe(1704164645500000000n);
    expect(parseIsoInstant('2024-01-02 03:04Z')).toBe(1704164640000000000n);
  });

  it('refuses text without a zone or that is no date', () => {
    expect(parseIsoInstant('2024-01-02T03:04:05')).toBeNull();
    expect(parseIsoInstant('2024-13-02T03:04:05Z')).toBeNull();
    expect(parseIsoInstant('soon')).toBeNull();
  });

  it('converts to a unit rounding toward minus infinity', () => {
    expect(fromNanos(1_999_999_999n, 's')).toBe(1n);
    expect(fromNanos(-1n, 'ms')).toBe(-1n);
    expect(fromNanos(-1_000_000n, 'ms')).toBe(-1n);
  });

  it('reads fractional seconds through their decimal text', () => {
    expect(secondsToNanos(1700000000.123456)).toBe(1700000000123456000n);
    expect(secondsToNanos(-1.5)).toBe(-1500000000n);
  });

  it('the clock never gives the same nanosecond twice', () => {
    const clock = new NanoClock(
      () => 1000,
      () => 5n,
    );
    expect([clock.now(), clock.now(), clock.now()]).toEqual([1000000000n, 1000000001n, 1000000002n]);
  });
});
