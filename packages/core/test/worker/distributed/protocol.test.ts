import { describe, expect, it } from 'vitest';
import {
  CONFIG_MISMATCH,
  decodeAssignment,
  decodeMetadata,
  encodeAssignment,
  encodeMetadata,
  type Assignment,
  type MemberMetadata,
} from '../../../src/worker/distributed/protocol.js';

const metadata: MemberMetadata = {
  url: 'http://10.0.0.5:8083',
  configOffset: 2 ** 40 + 7,
  owned: {
    connectors: ['orders-sink'],
    tasks: [
      { connector: 'orders-sink', task: 0 },
      { connector: 'clicks', task: 3 },
    ],
  },
  leaving: false,
};

const assignment: Assignment = {
  error: 0,
  leaderId: 'connect-1-abc',
  leaderUrl: 'http://10.0.0.5:8083',
  configOffset: 42,
  assigned: {
    connectors: ['clicks'],
    tasks: [
      { connector: 'clicks', task: 1 },
      { connector: 'ünïcode-sink', task: 0 },
    ],
  },
  revoked: { connectors: [], tasks: [{ connector: 'orders-sink', task: 2 }] },
  delayMs: 1500,
};

describe('group protocol codec', () => {
  it('round-trips member metadata, owned work and the leaving flag', () => {
    expect(decodeMetadata(encodeMetadata(metadata))).toEqual(metadata);
    expect(
      decodeMetadata(encodeMetadata({ ...metadata, leaving: true, owned: { connectors: [], tasks: [] } })),
    ).toEqual({
      ...metadata,
      leaving: true,
      owned: { connectors: [], tasks: [] },
    });
  });

  it('round-trips assignments with revocations, delay and errors', () => {
    expect(decodeAssignment(encodeAssignment(assignment))).toEqual(assignment);
    const mismatch = { ...assignment, error: CONFIG_MISMATCH, assigned: { connectors: [], tasks: [] } };
    expect(decodeAssignment(encodeAssignment(mismatch))).toEqual(mismatch);
  });

  it('encodes like Kafka Connect: int16 version, strings, int64 offset, connector with -1 for the instance', () => {
    const bytes = encodeMetadata({
      url: 'u',
      configOffset: 5,
      owned: { connectors: ['c'], tasks: [{ connector: 'c', task: 2 }] },
      leaving: false,
    });
    expect(bytes.readInt16BE(0)).toBe(1); // version
    expect(bytes.readInt16BE(2)).toBe(1); // url length
    expect(bytes.toString('utf8', 4, 5)).toBe('u');
    expect(bytes.readBigInt64BE(5)).toBe(5n);
    expect(bytes.readInt32BE(13)).toBe(1); // one connector entry
    expect(bytes.readInt16BE(17)).toBe(1);
    expect(bytes.readInt32BE(20)).toBe(2); // two ids: the instance (-1) and task 2
    expect([bytes.readInt32BE(24), bytes.readInt32BE(28)]).toEqual([-1, 2]);
  });

  it('reads empty bytes as "no assignment" (members the leader left out)', () => {
    expect(decodeAssignment(Buffer.alloc(0))).toBeNull();
    expect(decodeAssignment(null)).toBeNull();
  });

  it('ignores fields appended by a later version', () => {
    const later = Buffer.concat([encodeAssignment(assignment), Buffer.from([0, 0, 0, 9, 1, 2])]);
    later.writeInt16BE(2, 0);
    expect(decodeAssignment(later)).toEqual(assignment);
  });

  it('refuses version 0 and truncated payloads with a message that says which', () => {
    const v0 = encodeMetadata(metadata);
    v0.writeInt16BE(0, 0);
    expect(() => decodeMetadata(v0)).toThrow(/Unsupported member metadata version 0/);
    const truncated = encodeAssignment(assignment).subarray(0, 20);
    expect(() => decodeAssignment(truncated)).toThrow(/Malformed assignment/);
  });
});
