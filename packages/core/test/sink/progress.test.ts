import { describe, expect, it } from 'vitest';
import { ProgressCounter } from '../../src/sink/progress.js';
import type { SinkRecord } from '../../src/sink/api.js';

const records = (topic: string, n: number) => Array.from({ length: n }, () => ({ topic }) as SinkRecord);

describe('ProgressCounter', () => {
  it('logs cumulative per-topic counts at most once per interval', () => {
    let now = Date.parse('2024-05-01T10:00:00Z');
    const lines: string[] = [];
    const log = (m: string) => void lines.push(m);
    const counter = new ProgressCounter({
      logger: { debug: log, info: log, warn: log, error: log },
      now: () => now,
    });
    counter.update(records('a', 3));
    now += 30_000;
    counter.update(records('b', 2));
    expect(lines).toEqual([]);
    now += 30_000;
    counter.update(records('a', 1));
    expect(lines).toEqual([
      'Delivered [4] records for [a] since 2024-05-01T10:00:00.000Z',
      'Delivered [2] records for [b] since 2024-05-01T10:00:00.000Z',
    ]);
    now += 1_000;
    counter.update(records('a', 1));
    expect(lines).toHaveLength(2);
    expect(counter.totals().get('a')).toBe(5);
    counter.clear();
    expect(counter.totals().size).toBe(0);
  });
});
