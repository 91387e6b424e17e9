import { describe, expect, it } from 'vitest';
import {
  isRecordAlive,
  parsePidRecord,
  parseStatStartTicks,
  processStartTicks,
  type PidRecord,
} from '../src/framework/pid-record.js';

// A /proc/<pid>/stat line: pid (comm) state ppid ... with starttime as field 22.
function statLine(comm: string, state: string, startTicks: number): string {
  const after = [state, ...Array.from({ length: 18 }, (_, i) => String(i + 4)), String(startTicks), '999'];
  return `4242 (${comm}) ${after.join(' ')}`;
}

const record: PidRecord = {
  service: 'kafka',
  pid: 4242,
  pgid: 4242,
  startTicks: 1234,
  command: 'java kafka.Kafka',
  startedAt: '2025-01-01T00:00:00.000Z',
  logFile: '/tmp/kafka.log',
  dataDir: '/tmp/kafka',
};

describe('parseStatStartTicks', () => {
  it('reads field 22', () => {
    expect(parseStatStartTicks(statLine('java', 'S', 987654))).toBe(987654);
  });

  it('copes with spaces and parentheses in the command name', () => {
    expect(parseStatStartTicks(statLine('my (odd) name', 'R', 55))).toBe(55);
  });

  it('treats zombies as not running', () => {
    expect(parseStatStartTicks(statLine('java', 'Z', 55))).toBeUndefined();
  });

  it('reads the real start time of this process', () => {
    const ticks = processStartTicks(process.pid);
    expect(ticks).toBeGreaterThan(0);
    expect(processStartTicks(process.pid)).toBe(ticks);
  });
});

describe('isRecordAlive', () => {
  it('is alive only when the pid runs with the recorded start time', () => {
    expect(isRecordAlive(record, () => 1234)).toBe(true);
  });

  it('is not alive when the pid was reused by another process', () => {
    expect(isRecordAlive(record, () => 999_999)).toBe(false);
  });

  it('is not alive when the pid is gone', () => {
    expect(isRecordAlive(record, () => undefined)).toBe(false);
  });
});

describe('parsePidRecord', () => {
  it('round-trips a record', () => {
    expect(parsePidRecord(JSON.stringify(record))).toEqual(record);
  });

  it('rejects garbage, missing fields and pids that must never be signalled', () => {
    expect(parsePidRecord('not json')).toBeUndefined();
    expect(parsePidRecord(JSON.stringify({ ...record, pid: 'x' }))).toBeUndefined();
    expect(parsePidRecord(JSON.stringify({ ...record, pid: 1 }))).toBeUndefined();
    expect(parsePidRecord(JSON.stringify({ ...record, startTicks: undefined }))).toBeUndefined();
  });
});
