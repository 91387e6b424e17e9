import { parseKcqlList } from '@sluice/kcql';
import { sinkRecord } from '@sluice/test-utils';
import type { KcqlStatement, SinkRecord } from '@sluice/core/sink';
import { toLine } from '../src/line-protocol.js';
import { buildPoints, type PointContext } from '../src/points.js';
import { compileRoute, type InfluxRoute } from '../src/route.js';
import { NanoClock } from '../src/timestamps.js';

// Records in each input shape, statements parsed from KCQL text, and the line protocol they give.

export function kcql(text: string): KcqlStatement {
  return parseKcqlList(text)[0]!;
}

export function route(text: string): InfluxRoute {
  return compileRoute(kcql(text));
}

/** A record at sensors/0/17 (test-utils' sinkRecord), with any field overridden. */
export function record(value: unknown, extra: Partial<SinkRecord> = {}): SinkRecord {
  return { ...sinkRecord(value, null, { topic: 'sensors', offset: 17 }), ...extra };
}

/** A clock frozen at 2024-01-01T00:00:00Z that still ticks one nanosecond per reading. */
export function fixedClock(): NanoClock {
  let tick = 0n;
  return new NanoClock(
    () => Date.UTC(2024, 0, 1),
    () => tick++,
  );
}

export function pointContext(warnings: string[] = []): PointContext {
  return {
    connectorName: 'influx-sink',
    clock: fixedClock(),
    warnOnce: (_route, message) => warnings.push(message),
  };
}

/** The line protocol of `record` under the KCQL statement `text`. */
export function lines(value: SinkRecord, text: string, ctx = pointContext()): string[] {
  return buildPoints(value, route(text), ctx).map(toLine);
}
