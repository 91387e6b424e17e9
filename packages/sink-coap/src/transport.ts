import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { dtls } from 'node-dtls-client';
import type { CoapSinkConfig, ServerAddress } from './config.js';

// The datagram socket node-coap's Agent sends through: a plain UDP socket for coap://, or a DTLS
// session (node-dtls-client, pre-shared key) behind the same small interface for coaps://.
// The Agent is given the socket rather than making its own, because an Agent that owns its socket
// closes it whenever no request is outstanding and opens a new one (a new local port) for the next.

/** The part of dgram.Socket that node-coap's Agent and its retransmitter use. */
export interface DatagramSocket extends EventEmitter {
  readonly type: 'udp4' | 'udp6';
  send(
    msg: Buffer,
    offset: number,
    length: number,
    port: number,
    address: string,
    callback?: (error: Error | null, bytes?: number) => void,
  ): void;
  address(): { address: string; family: string; port: number };
  close(callback?: () => void): void;
}

/** A UDP socket bound as connect.coap.host/port say (or by the OS), ready to send. */
export async function openUdpSocket(config: CoapSinkConfig): Promise<UdpSocket> {
  const type = config.server.host.includes(':') ? 'udp6' : 'udp4';
  const socket = createSocket({ type });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(config.bind ? { address: config.bind.host, port: config.bind.port } : { port: 0 }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}

// node-dtls-client throws from its UDP message handler when a server sends a handshake message it does
// not implement (a ServerKeyExchange carrying a PSK identity hint): an uncaught exception that would stop
// the whole worker. This turns it into the session's error event, which fails only the handshake.
const socketPrototype = dtls.Socket.prototype as unknown as {
  udp_onMessage: (...args: unknown[]) => void;
  killConnection: (error: Error) => void;
  __sluiceGuarded?: boolean;
};
if (!socketPrototype.__sluiceGuarded) {
  const onMessage = socketPrototype.udp_onMessage;
  socketPrototype.udp_onMessage = function (this: typeof socketPrototype, ...args: unknown[]) {
    try {
      onMessage.apply(this, args);
    } catch (error) {
      this.killConnection(error instanceof Error ? error : new Error(String(error)));
    }
  };
  socketPrototype.__sluiceGuarded = true;
}

/** Raised when the DTLS handshake fails for a reason a retry will not fix (the server refused the key). */
export class DtlsRefusedError extends Error {}

/**
 * A DTLS session with the server that looks like a UDP socket to the Agent. The session is opened on
 * first use and again after it fails (server restart, network loss): datagrams sent meanwhile wait for
 * the handshake, and fail with its error.
 */
export class DtlsDatagramSocket extends EventEmitter implements DatagramSocket {
  readonly type: 'udp4' | 'udp6';
  private session: dtls.Socket | null = null;
  private ready: Promise<dtls.Socket> | null = null;
  private closed = false;

  constructor(
    private readonly server: ServerAddress,
    private readonly psk: { identity: string; secret: string },
    private readonly options: { localPort?: number; handshakeTimeoutMs: number },
  ) {
    super();
    this.type = server.host.includes(':') ? 'udp6' : 'udp4';
  }

  send(
    msg: Buffer,
    offset: number,
    length: number,
    _port: number,
    _address: string,
    callback?: (error: Error | null, bytes?: number) => void,
  ): void {
    const data = offset === 0 && length === msg.length ? msg : msg.subarray(offset, offset + length);
    // Errors are not handed to node-coap: its retransmitter re-emits them as 'error' events, which crash
    // the process once the request was given up. A datagram that is not sent is a datagram lost, which
    // the request's retransmissions and deadline deal with; handshake failures reach the caller through
    // connect(), which the client awaits before each request.
    this.connect().then(
      (session) => {
        try {
          session.send(data, () => callback?.(null, data.length));
        } catch {
          callback?.(null, 0);
        }
      },
      () => callback?.(null, 0),
    );
  }

  address() {
    return {
      address: this.type === 'udp6' ? '::' : '0.0.0.0',
      family: this.type === 'udp6' ? 'IPv6' : 'IPv4',
      port: 0,
    };
  }

  close(callback?: () => void): void {
    this.closed = true;
    const session = this.session;
    this.session = null;
    this.ready = null;
    if (session) session.close(() => callback?.());
    else callback?.();
  }

  /** The open session, or the handshake under way. */
  connect(): Promise<dtls.Socket> {
    if (this.closed) return Promise.reject(new Error('the DTLS socket is closed'));
    this.ready ??= new Promise<dtls.Socket>((resolve, reject) => {
      const session = dtls.createSocket({
        type: this.type,
        address: this.server.host,
        port: this.server.port,
        psk: { [this.psk.identity]: this.psk.secret },
        timeout: this.options.handshakeTimeoutMs,
        ...(this.options.localPort ? { listenPort: this.options.localPort } : {}),
      });
      let connected = false;
      const forget = () => {
        if (this.session === session) this.session = null;
        if (this.ready === pending) this.ready = null;
      };
      session.on('connected', () => {
        connected = true;
        this.session = session;
        resolve(session);
      });
      session.on('message', (msg: Buffer) =>
        this.emit('message', msg, {
          address: this.server.host,
          port: this.server.port,
          family: this.type,
          size: msg.length,
        }),
      );
      session.on('error', (error: Error) => {
        forget();
        if (!connected) reject(handshakeError(error, this.server));
        else this.emit('warning', error);
      });
      session.on('close', forget);
    });
    const pending = this.ready;
    return pending;
  }
}

function handshakeError(error: Error, server: ServerAddress): Error {
  const where = `coaps://${server.host}:${server.port}`;
  if (/fatal alert/i.test(error.message)) {
    return new DtlsRefusedError(
      `the DTLS handshake with ${where} was refused (${error.message}): check connect.coap.username and connect.coap.password, ` +
        'and that the server sends no PSK identity hint (node-dtls-client cannot read one; libcoap: -h "").',
    );
  }
  if (/unsupported message type 12/.test(error.message)) {
    return new DtlsRefusedError(
      `the DTLS server ${where} sent a PSK identity hint, which node-dtls-client cannot read; configure the server to send none (libcoap: -h "").`,
    );
  }
  return new Error(`the DTLS handshake with ${where} failed: ${error.message}`);
}
