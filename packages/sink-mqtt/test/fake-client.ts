import { EventEmitter } from 'node:events';
import mqttPacket, { type IPublishPacket } from 'mqtt-packet';

// A stand-in for mqtt.js' client in unit tests: it records publishes and lets the test decide when the
// broker acknowledges them, refuses them, when the socket has sent what it buffered, or when the
// connection drops and comes back.

export interface FakePublish {
  readonly id: number;
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: number;
  readonly retain: boolean;
  readonly callback: (error?: Error | null) => void;
}

/**
 * The client's socket as a Writable: every publish adds its bytes to `writableLength` until the test
 * calls `flush()`; like a real socket, 'drain' follows only when a write went past the high-water mark.
 */
export class FakeStream extends EventEmitter {
  static readonly HIGH_WATER_MARK = 16 * 1024;
  writableLength = 0;
  writableNeedDrain = false;
  /** Calls of write(). */
  writes = 0;
  private readonly parser;

  /** `onPublish` receives each PUBLISH packet in the bytes written to the socket. */
  constructor(onPublish: (packet: IPublishPacket) => void, protocolVersion: number) {
    super();
    this.parser = mqttPacket.parser({ protocolVersion });
    this.parser.on('packet', (packet) => {
      if (packet.cmd === 'publish') onPublish(packet);
    });
    this.parser.on('error', (e) => {
      throw e;
    });
  }

  /** What the client's publish() writes (its size), or encoded packets written directly. */
  write(chunk: Buffer | number): boolean {
    this.writes++;
    const bytes = typeof chunk === 'number' ? chunk : chunk.length;
    if (typeof chunk !== 'number') this.parser.parse(chunk);
    this.writableLength += bytes;
    if (this.writableLength >= FakeStream.HIGH_WATER_MARK) this.writableNeedDrain = true;
    return !this.writableNeedDrain;
  }

  /** The kernel took everything buffered. */
  flush(): void {
    this.writableLength = 0;
    if (!this.writableNeedDrain) return;
    this.writableNeedDrain = false;
    this.emit('drain');
  }
}

export class FakeMqttClient extends EventEmitter {
  connected = true;
  readonly options = { protocolVersion: 4 as 3 | 4 | 5 };
  /** mqtt.js makes a new socket for every connection. */
  stream = this.newStream();
  serverProperties: { receiveMaximum?: number; maximumPacketSize?: number } | undefined = undefined;
  readonly published: FakePublish[] = [];
  /** What mqtt.js keeps in `outgoing`: QoS 1/2 publishes not yet acknowledged. */
  readonly outgoing: Record<number, { volatile: boolean; cmd: string; cb: (error: Error) => void }> = {};
  readonly removed: number[] = [];
  /** Acknowledge every publish at once (synchronously, inside publish). */
  autoAck = false;
  private nextId = 1;

  publish(
    topic: string,
    payload: Buffer | string,
    opts: { qos: number; retain: boolean },
    callback: (error?: Error | null) => void,
  ): this {
    const id = this.nextId++;
    const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const entry = { id, topic, payload: bytes, qos: opts.qos, retain: opts.retain, callback };
    this.published.push(entry);
    this.stream.write(Buffer.byteLength(topic) + bytes.length);
    if (opts.qos > 0) this.outgoing[id] = { volatile: false, cmd: 'publish', cb: callback };
    if (this.autoAck) this.ack(id);
    return this;
  }

  /** Publishes awaiting their acknowledgement. */
  unacknowledged(): FakePublish[] {
    return this.published.filter((p) => (p.qos === 0 ? !this.written.has(p.id) : p.id in this.outgoing));
  }

  ack(id: number, error: Error | null = null): void {
    const p = this.published.find((x) => x.id === id)!;
    delete this.outgoing[id];
    this.written.add(id);
    p.callback(error);
  }

  ackAll(): void {
    for (const p of this.unacknowledged()) this.ack(p.id);
  }

  removeOutgoingMessage(id: number): this {
    const entry = this.outgoing[id];
    if (entry) {
      delete this.outgoing[id];
      this.removed.push(id);
      entry.cb(new Error('Message removed'));
    }
    return this;
  }

  drop(): void {
    this.connected = false;
    this.emit('close');
  }

  reconnect(): void {
    this.stream = this.newStream();
    this.connected = true;
    this.emit('connect');
  }

  private readonly written = new Set<number>();

  /** A socket whose PUBLISH packets count as published, written and done (QoS 0 written directly). */
  private newStream(): FakeStream {
    return new FakeStream((packet) => {
      const id = this.nextId++;
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      this.published.push({
        id,
        topic: packet.topic,
        payload,
        qos: packet.qos,
        retain: packet.retain,
        callback: () => undefined,
      });
      this.written.add(id);
    }, this.options.protocolVersion);
  }
}

/** mqtt.js' error for an MQTT 5 PUBACK with a failure reason code. */
export function reasonCodeError(code: number): Error {
  return Object.assign(new Error(`Publish error: code ${code}`), { code });
}
