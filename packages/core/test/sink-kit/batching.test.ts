import { describe, expect, it } from 'vitest';
import { chunk, chunkByWeight, groupBy, runLimited } from '../../src/sink-kit/index.js';

describe('groupBy', () => {
  it('keeps first-seen key order and item order', () => {
    const groups = groupBy(['b1', 'a1', 'b2', 'c1', 'a2'], (s) => s[0]);
    expect([...groups.entries()]).toEqual([
      ['b', ['b1', 'b2']],
      ['a', ['a1', 'a2']],
      ['c', ['c1']],
    ]);
  });
});

describe('chunk', () => {
  it('splits into slices of at most size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
  });
  it('a size below 1 is one slice', () => {
    expect(chunk([1, 2, 3], 0)).toEqual([[1, 2, 3]]);
  });
});

describe('chunkByWeight', () => {
  const len = (s: string) => s.length;
  it('cuts by count and by total weight, whichever comes first', () => {
    expect(chunkByWeight(['aa', 'bb', 'cc', 'd', 'e', 'f'], 3, 4, len)).toEqual([
      ['aa', 'bb'],
      ['cc', 'd', 'e'],
      ['f'],
    ]);
  });
  it('an item heavier than the limit goes alone; Infinity cuts by count only', () => {
    expect(chunkByWeight(['a', 'bbbbbb', 'c'], 10, 3, len)).toEqual([['a'], ['bbbbbb'], ['c']]);
    expect(chunkByWeight(['aaaa', 'bbbb', 'c'], 2, Number.POSITIVE_INFINITY, len)).toEqual([
      ['aaaa', 'bbbb'],
      ['c'],
    ]);
  });
});

describe('runLimited', () => {
  const tick = () => new Promise((r) => setTimeout(r, 1));

  it('runs at most `limit` jobs at once and returns results in job order', async () => {
    let running = 0;
    let peak = 0;
    const jobs = Array.from({ length: 10 }, (_, i) => async () => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      running--;
      return i * 10;
    });
    expect(await runLimited(jobs, 3)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(peak).toBe(3);
  });

  it('starts no job after a failure and rejects once the running ones settled', async () => {
    const started: number[] = [];
    let running = 0;
    const jobs = Array.from({ length: 6 }, (_, i) => async () => {
      started.push(i);
      running++;
      await tick();
      running--;
      if (i === 1) throw new Error('job 1 failed');
      return i;
    });
    await expect(runLimited(jobs, 2)).rejects.toThrow('job 1 failed');
    expect(running).toBe(0);
    expect(started.length).toBeLessThan(6);
  });
});
