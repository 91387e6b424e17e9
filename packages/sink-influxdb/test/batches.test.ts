import { describe, expect, it } from 'vitest';
import { cutBatches, type PointLine } from '../src/batches.js';

const point = (
  item: number,
  precision: 'ms' | 'ns' = 'ms',
  identity = `id${item}`,
  line = `m v=${item}i ${item}`,
): PointLine<number> => ({
  item,
  line,
  precision,
  identity,
});

describe('cutBatches', () => {
  it('cuts by points and keeps one precision per request', () => {
    const { batches, ordered } = cutBatches(
      [point(1), point(2, 'ns'), point(3), point(4), point(5, 'ns')],
      2,
      1_000_000,
    );
    expect(batches.map((b) => [b.precision, b.items])).toEqual([
      ['ms', [1, 3]],
      ['ns', [2, 5]],
      ['ms', [4]],
    ]);
    expect(ordered).toBe(false);
  });

  it('cuts by bytes; a line larger than the limit goes alone', () => {
    const big = 'x'.repeat(100);
    const { batches } = cutBatches(
      [point(1, 'ms', 'a', big), point(2, 'ms', 'b', 'short'), point(3, 'ms', 'c', 'short')],
      10,
      50,
    );
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3]]);
  });

  it('asks for ordered requests when two points share series and time', () => {
    expect(
      cutBatches([point(1, 'ms', 'same'), point(2, 'ms', 'other'), point(3, 'ms', 'same')], 1, 1000).ordered,
    ).toBe(true);
  });
});
