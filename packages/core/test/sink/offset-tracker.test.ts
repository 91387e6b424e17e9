import { describe, expect, it } from 'vitest';
import { OffsetTracker, PartitionOffsets } from '../../src/sink/offset-tracker.js';

describe('PartitionOffsets', () => {
  it('has nothing to commit before any record was fetched', () => {
    expect(new PartitionOffsets().committable()).toBeNull();
  });

  it('commits only the highest contiguous acknowledged offset', () => {
    const p = new PartitionOffsets();
    const a = p.open(10, 15);
    const b = p.open(15, 16);
    const c = p.open(16, 20);
    expect(p.committable()).toBe(10);
    c.done = true;
    expect(p.committable()).toBe(10);
    a.done = true;
    expect(p.committable()).toBe(15);
    b.done = true;
    expect(p.committable()).toBe(20);
    expect(p.inFlight()).toBe(0);
  });

  it('skips offsets that need no acknowledgement (gaps, transaction markers) only after earlier units', () => {
    const p = new PartitionOffsets();
    const a = p.open(0, 5);
    p.skipTo(8);
    expect(p.committable()).toBe(0);
    a.done = true;
    expect(p.committable()).toBe(8);
    expect(p.position()).toBe(8);
  });

  it('rejects units opened out of order', () => {
    const p = new PartitionOffsets();
    p.open(5, 10);
    expect(() => p.open(3, 4)).toThrow(/offset order/);
  });

  it('forgets open units on reset (rewind)', () => {
    const p = new PartitionOffsets();
    const a = p.open(0, 100);
    p.reset(40);
    a.done = true;
    expect(p.committable()).toBe(40);
    expect(p.position()).toBe(40);
  });

  it('stays small over millions of units', () => {
    const p = new PartitionOffsets();
    for (let i = 0; i < 2_000_000; i++) {
      p.open(i, i + 1).done = true;
      if (i % 1000 === 0) p.committable();
    }
    expect(p.committable()).toBe(2_000_000);
    expect((p as unknown as { units: unknown[] }).units.length).toBeLessThan(2000);
  });
});

describe('OffsetTracker', () => {
  it('reports committable offsets per partition that made progress', () => {
    const t = new OffsetTracker();
    t.partition({ topic: 'a', partition: 0 }).open(0, 3).done = true;
    t.partition({ topic: 'a', partition: 1 });
    const c = t.committable();
    expect([...c.values()]).toEqual([{ tp: { topic: 'a', partition: 0 }, offset: 3 }]);
  });
});
