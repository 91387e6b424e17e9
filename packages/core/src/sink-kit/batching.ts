// Batching and bounded concurrency for store writes: what every sink's writer needs, written once.

/** Groups items by a key, keeping first-seen key order and item order within a group. */
export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** Splits items into consecutive slices of at most `size` (size < 1 means one slice). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (items.length === 0) return [];
  if (!(size >= 1)) return [[...items]];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Splits items into consecutive slices of at most `size` items and `maxWeight` in total `weightOf`
 * (e.g. bytes); an item heavier than `maxWeight` goes alone. `maxWeight` of Infinity: by count only.
 */
export function chunkByWeight<T>(
  items: readonly T[],
  size: number,
  maxWeight: number,
  weightOf: (item: T) => number,
): T[][] {
  if (!(maxWeight < Number.POSITIVE_INFINITY)) return chunk(items, size);
  const limit = size >= 1 ? size : Number.POSITIVE_INFINITY;
  const out: T[][] = [];
  let current: T[] = [];
  let weight = 0;
  for (const item of items) {
    const w = weightOf(item);
    if (current.length > 0 && (current.length >= limit || weight + w > maxWeight)) {
      out.push(current);
      current = [];
      weight = 0;
    }
    current.push(item);
    weight += w;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Runs jobs with at most `limit` running at once; results come back in job order. After the first
 * failure no new job starts, and the promise rejects with that failure once the running ones settled
 * (so nothing is still writing when the caller reacts to the error).
 */
export async function runLimited<T>(jobs: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  let failed = false;
  let failure: unknown;
  const worker = async () => {
    while (next < jobs.length && !failed) {
      const i = next++;
      try {
        results[i] = await jobs[i]!();
      } catch (e) {
        if (!failed) failure = e;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker));
  if (failed) throw failure;
  return results;
}
