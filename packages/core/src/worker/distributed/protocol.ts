import type { ConnectorTaskId } from '../types.js';

// What workers tell each other through the group coordinator: the member metadata each worker sends
// with JoinGroup and the assignment the leader hands each member through SyncGroup. The layout follows
// Kafka Connect's ConnectProtocol / IncrementalCooperativeConnectProtocol (int16 version first, Kafka
// strings, int64 config offset, connector → int32[] task ids with -1 for the connector itself), with
// fields of our own after them. A higher version may only append fields, so a decoder reads the
// fields it knows and ignores the rest; empty bytes mean "no assignment".

/** Kafka Connect's protocol type: the coordinator refuses members of another type (e.g. a consumer). */
export const PROTOCOL_TYPE = 'connect';
/**
 * Our own protocol name: a Java Connect worker offers `default`/`compatible`/`sessioned`, so pointing
 * one at a Sluice cluster's group.id fails with INCONSISTENT_GROUP_PROTOCOL instead of mixing.
 */
export const PROTOCOL_NAME = 'sluice-v1';
export const PROTOCOL_VERSION = 1;

/** The sentinel task id of Kafka Connect's protocol: "run the Connector instance itself". */
const CONNECTOR_TASK = -1;

export const NO_ERROR = 0;
/** The leader could not read the config topic up to the highest offset a member reported. */
export const CONFIG_MISMATCH = 1;
/** The member advertises a loopback or wildcard REST URL that another member advertises too. */
export const ADVERTISED_URL_CLASH = 2;

/** Connectors and tasks: a member's running work, or what it is told to run or revoke. */
export interface WorkSet {
  readonly connectors: readonly string[];
  readonly tasks: readonly ConnectorTaskId[];
}

export const EMPTY_WORK: WorkSet = { connectors: [], tasks: [] };

export interface MemberMetadata {
  /** The worker's advertised REST URL: where forwarded requests go when it leads. */
  readonly url: string;
  /** The config topic offset this worker has read and applied. */
  readonly configOffset: number;
  /** Work the member runs now (it keeps running it through the rebalance). */
  readonly owned: WorkSet;
  /** Set by a worker that is shutting down: it owns nothing and must be given nothing. */
  readonly leaving: boolean;
}

export interface Assignment {
  readonly error: number;
  readonly leaderId: string;
  readonly leaderUrl: string;
  readonly configOffset: number;
  /** Everything the member should run after this rebalance (kept work included). */
  readonly assigned: WorkSet;
  /** Work the member must stop now; it then rejoins so the leader can hand it to someone else. */
  readonly revoked: WorkSet;
  /** ms until the leader reassigns lost work (scheduled.rebalance.max.delay.ms); 0 when none is pending. */
  readonly delayMs: number;
}

const FLAG_LEAVING = 1;

export function encodeMetadata(m: MemberMetadata): Buffer {
  const w = new Writer();
  w.int16(PROTOCOL_VERSION);
  w.string(m.url);
  w.int64(m.configOffset);
  writeWork(w, m.owned);
  w.int16(m.leaving ? FLAG_LEAVING : 0);
  return w.bytes();
}

export function decodeMetadata(bytes: Buffer): MemberMetadata {
  const r = new Reader(bytes, 'member metadata');
  r.version();
  const url = r.string();
  const configOffset = r.int64();
  const owned = readWork(r);
  const flags = r.int16();
  return { url, configOffset, owned, leaving: (flags & FLAG_LEAVING) !== 0 };
}

export function encodeAssignment(a: Assignment): Buffer {
  const w = new Writer();
  w.int16(PROTOCOL_VERSION);
  w.int16(a.error);
  w.string(a.leaderId);
  w.string(a.leaderUrl);
  w.int64(a.configOffset);
  writeWork(w, a.assigned);
  writeWork(w, a.revoked);
  w.int32(a.delayMs);
  return w.bytes();
}

/** null for empty bytes: the coordinator sends those to members the leader left out. */
export function decodeAssignment(bytes: Buffer | null | undefined): Assignment | null {
  if (!bytes || bytes.length === 0) return null;
  const r = new Reader(bytes, 'assignment');
  r.version();
  return {
    error: r.int16(),
    leaderId: r.string(),
    leaderUrl: r.string(),
    configOffset: r.int64(),
    assigned: readWork(r),
    revoked: readWork(r),
    delayMs: r.int32(),
  };
}

function writeWork(w: Writer, work: WorkSet): void {
  const byConnector = new Map<string, number[]>();
  for (const c of work.connectors) byConnector.set(c, [CONNECTOR_TASK]);
  for (const t of work.tasks) {
    const ids = byConnector.get(t.connector) ?? [];
    ids.push(t.task);
    byConnector.set(t.connector, ids);
  }
  w.int32(byConnector.size);
  for (const [connector, ids] of byConnector) {
    w.string(connector);
    w.int32(ids.length);
    for (const id of ids) w.int32(id);
  }
}

function readWork(r: Reader): WorkSet {
  const connectors: string[] = [];
  const tasks: ConnectorTaskId[] = [];
  const n = r.int32();
  for (let i = 0; i < n; i++) {
    const connector = r.string();
    const count = r.int32();
    for (let j = 0; j < count; j++) {
      const id = r.int32();
      if (id === CONNECTOR_TASK) connectors.push(connector);
      else tasks.push({ connector, task: id });
    }
  }
  return { connectors, tasks };
}

class Writer {
  private readonly parts: Buffer[] = [];

  int16(v: number): void {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
  }
  int32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
  }
  int64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v));
    this.parts.push(b);
  }
  string(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    if (bytes.length > 0x7fff)
      throw new RangeError(`String of ${bytes.length} bytes is too long for the group protocol`);
    this.int16(bytes.length);
    this.parts.push(bytes);
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Reads Kafka protocol primitives; a truncated payload throws an error that says which one. */
class Reader {
  private pos = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
  ) {}

  version(): number {
    const v = this.int16();
    if (v < PROTOCOL_VERSION)
      throw new Error(
        `Unsupported ${this.what} version ${v}; this worker speaks version ${PROTOCOL_VERSION} or later`,
      );
    return v;
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int64(): number {
    this.need(8);
    const v = Number(this.buf.readBigInt64BE(this.pos));
    this.pos += 8;
    return v;
  }
  string(): string {
    const len = this.int16();
    if (len < 0) throw new Error(`Malformed ${this.what}: null string`);
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new Error(`Malformed ${this.what}: ${this.buf.length} bytes end before offset ${this.pos + n}`);
    }
  }
}
