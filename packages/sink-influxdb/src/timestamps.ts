// Point times. A timestamp field is converted once, exactly, to the statement's TIMESTAMPUNIT, and the
// point is written with that precision. Stream Reactor converted strings, dates and doubles to
// milliseconds but wrote them with the declared unit (spec §13), so points landed in 1970 or collided.

export type Precision = 'ns' | 'us' | 'ms' | 's';

/** KCQL TIMESTAMPUNIT → write precision; the coarser Java units have no InfluxDB precision. */
export const PRECISION_OF_UNIT: Readonly<Record<string, Precision>> = {
  NANOSECONDS: 'ns',
  MICROSECONDS: 'us',
  MILLISECONDS: 'ms',
  SECONDS: 's',
};

const NANOS_PER: Readonly<Record<Precision, bigint>> = {
  ns: 1n,
  us: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
};

/** Whole `precision` units in `nanos` (rounded toward minus infinity, so times before 1970 stay ordered). */
export function fromNanos(nanos: bigint, precision: Precision): bigint {
  const per = NANOS_PER[precision];
  const q = nanos / per;
  return nanos < 0n && q * per !== nanos ? q - 1n : q;
}

export function toNanos(value: bigint, precision: Precision): bigint {
  return value * NANOS_PER[precision];
}

// An ISO-8601 date-time with a zone (`Z` or ±hh[:]mm); the fraction may have up to nine digits.
const ISO_INSTANT =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}(?::?\d{2})?)$/;

/** Nanoseconds since the epoch of an ISO-8601 instant, or null when the text is not one. */
export function parseIsoInstant(text: string): bigint | null {
  const m = ISO_INSTANT.exec(text.trim());
  if (!m) return null;
  const [, date, time, fraction = '', zone] = m;
  const offset =
    zone === 'Z' || zone === 'z'
      ? 'Z'
      : zone!.length === 3
        ? `${zone}:00`
        : zone!.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const millis = Date.parse(`${date}T${time!.length === 5 ? `${time}:00` : time}${offset}`);
  if (Number.isNaN(millis)) return null;
  return BigInt(millis) * 1_000_000n + BigInt(fraction.padEnd(9, '0'));
}

/** Nanoseconds of seconds given as a double (Stream Reactor read doubles as Unix seconds). */
export function secondsToNanos(seconds: number): bigint {
  // Through the shortest decimal text that reads back as this double (JavaScript's own String), so
  // 1700000000.123456 gives ...123456000 ns and not its binary neighbour ...123456001.
  const text = String(seconds);
  const [whole, fraction = ''] = (/e/i.test(text) ? seconds.toFixed(9) : text).split('.');
  const sign = whole!.startsWith('-') ? -1n : 1n;
  return BigInt(whole!) * 1_000_000_000n + sign * BigInt(fraction.padEnd(9, '0').slice(0, 9));
}

/**
 * The current time in nanoseconds, strictly increasing within the process: `sys_time()` points of one
 * batch never share a timestamp (and so never overwrite each other).
 */
export class NanoClock {
  private readonly baseNanos: bigint;
  private readonly baseHr: bigint;
  private last = 0n;

  constructor(
    now: () => number = Date.now,
    private readonly hrtime: () => bigint = () => process.hrtime.bigint(),
  ) {
    this.baseNanos = BigInt(now()) * 1_000_000n;
    this.baseHr = hrtime();
  }

  now(): bigint {
    const t = this.baseNanos + (this.hrtime() - this.baseHr);
    this.last = t > this.last ? t : this.last + 1n;
    return this.last;
  }
}
