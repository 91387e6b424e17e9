import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { committedOffsets, createTopic, kafkaBootstrap, produce, uniqueName } from './engine-kafka.js';
import { exited, lines, startSluice, tempDir, waitFor, writeProperties } from './standalone-support.js';

// kill -9 of `sluice standalone` in the middle of a 100k-record stream to the file sink, then a
// restart: every record arrives, records below the offsets committed before the kill arrive exactly
// once (duplicates only in the uncommitted window), and the committed offsets reach the end.

const PARTITIONS = 3;
const PER_PARTITION = 33_334; // 100 002 records in all
const TOTAL = PARTITIONS * PER_PARTITION;

let bootstrap: string;
let child: ChildProcess | null = null;

beforeAll(async () => {
  bootstrap = await kafkaBootstrap();
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('sluice standalone survives kill -9 without losing records', () => {
  it('delivers 100k records at least once, duplicates only above the last commit', async () => {
    const dir = tempDir('sluice-crash');
    const topic = uniqueName('crash');
    const name = uniqueName('crash-sink');
    const out = path.join(dir, 'out.txt');
    await createTopic(bootstrap, topic, PARTITIONS);
    const worker = writeProperties(path.join(dir, 'worker.properties'), {
      'bootstrap.servers': bootstrap,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.flush.interval.ms': '1000',
      listeners: 'http://127.0.0.1:0',
    });
    const connector = writeProperties(path.join(dir, 'sink.properties'), {
      name,
      'connector.class': 'FileStreamSink',
      topics: topic,
      file: out,
    });

    // Each value says where it was produced: `<partition>:<offset>` (the topic is new, so seq = offset).
    const producing = (async () => {
      for (let start = 0; start < PER_PARTITION; start += 2000) {
        const batch = [];
        for (let p = 0; p < PARTITIONS; p++) {
          for (let i = start; i < Math.min(start + 2000, PER_PARTITION); i++)
            batch.push({ topic, partition: p, key: null, value: Buffer.from(`${p}:${i}`) });
        }
        await produce(bootstrap, batch);
      }
    })();

    child = startSluice(dir, [worker, connector], 1);
    await waitFor('a third of the records in the file', () => lines(out).length > TOTAL / 3, 120_000);
    child.kill('SIGKILL');
    await exited(child);
    const linesAtKill = lines(out).length;
    const committedAtKill = await committedOffsets(bootstrap, `connect-${name}`, topic);
    expect(committedAtKill.size).toBeGreaterThan(0);

    await producing;
    child = startSluice(dir, [worker, connector], 2);
    await waitFor('every record in the file', () => new Set(lines(out)).size >= TOTAL, 180_000);
    const finalCommitted = await waitFor(
      'offsets committed to the end',
      async () => {
        const c = await committedOffsets(bootstrap, `connect-${name}`, topic);
        return [...Array(PARTITIONS).keys()].every((p) => c.get(p) === PER_PARTITION) ? c : undefined;
      },
      // The restarted worker gets its partitions only once the killed member's consumer session
      // (30 s by default) has expired; the run before may already have written every line.
      120_000,
    );
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);

    const counts = new Map<string, number>();
    for (const line of lines(out)) counts.set(line, (counts.get(line) ?? 0) + 1);
    expect(counts.size).toBe(TOTAL);
    let duplicates = 0;
    for (const [value, n] of counts) {
      const [p, offset] = value.split(':').map(Number) as [number, number];
      if (n > 1) {
        duplicates += n - 1;
        // Only records the crashed run had not committed may come again.
        expect(offset, `record ${value} duplicated below the committed offset`).toBeGreaterThanOrEqual(
          committedAtKill.get(p) ?? 0,
        );
      }
    }
    expect(duplicates).toBeLessThanOrEqual(linesAtKill);
    expect([...finalCommitted.values()]).toEqual(Array(PARTITIONS).fill(PER_PARTITION));
  }, 400_000);
});
