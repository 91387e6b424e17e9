import { Agent } from 'coap';
import type { Socket as UdpSocket } from 'node:dgram';
import type { CoapSinkConfig } from './config.js';
import { APPLICATION_JSON, resourceText, type CoapRequest } from './requests.js';
import { DtlsDatagramSocket, openUdpSocket, type DatagramSocket } from './transport.js';

// One CoAP endpoint per task, on node-coap's Agent: every request gets its own message id and token
// from the Agent, confirmable requests are retransmitted by it with RFC 7252's exponential back-off
// (ACK_TIMEOUT 2 s × random factor 1.5, MAX_RETRANSMIT 4), and a payload longer than the block size goes
// block-wise (Block1). The Agent's own give-up time is EXCHANGE_LIFETIME (~247 s), so each request has
// its own deadline (connect.coap.request.timeout) as well.

/** The server's answer: a response code `c.dd` and its payload. */
export interface CoapAnswer {
  readonly code: string;
  readonly payload: Buffer;
}

/** No answer in time: the server is down, unreachable or too slow (transient). */
export class CoapTimeoutError extends Error {}

/** The server answered with a Reset: it could not process the message (transient). */
export class CoapResetError extends Error {}

export interface CoapEndpoint {
  /** Resolves with the answer (any code), or with null for a non-confirmable request once it is sent. */
  send(request: CoapRequest): Promise<CoapAnswer | null>;
  /** `coap://host:port/path` of a resource, for messages. */
  describe(resource: readonly string[]): string;
  close(): Promise<void>;
}

interface OutgoingRequest {
  setOption(name: string, value: Buffer | number | string | Buffer[]): void;
  end(payload?: Buffer): void;
  on(
    event: 'response',
    listener: (res: { code: string; payload: Buffer; _packet?: { reset?: boolean } }) => void,
  ): void;
  on(event: 'error' | 'timeout', listener: (error: Error) => void): void;
  sender: { once(event: 'sent', listener: (error: Error | null) => void): void };
}

export class CoapClient implements CoapEndpoint {
  /** Requests awaiting their answer, to be failed when the client closes under them. */
  private readonly pending = new Set<(error: Error) => void>();

  private constructor(
    private readonly config: CoapSinkConfig,
    private readonly socket: DatagramSocket,
    private readonly agent: Agent,
  ) {}

  static async open(config: CoapSinkConfig): Promise<CoapClient> {
    const socket: DatagramSocket = config.psk
      ? new DtlsDatagramSocket(config.server, config.psk, {
          localPort: config.bind?.port || undefined,
          handshakeTimeoutMs: Math.min(config.requestTimeoutMs, 10_000),
        })
      : ((await openUdpSocket(config)) as unknown as DatagramSocket);
    const agent = new Agent({ socket: socket as unknown as UdpSocket });
    // Socket errors (an ICMP unreachable, a DTLS session lost) fail the requests they concern through
    // their own timeouts; without a listener they would be thrown.
    agent.on('error', () => undefined);
    socket.on('error', () => undefined);
    socket.on('warning', () => undefined);
    return new CoapClient(config, socket, agent);
  }

  describe(resource: readonly string[]): string {
    const { secure, host, port, basePath } = this.config.server;
    const h = host.includes(':') ? `[${host}]` : host;
    return `${secure ? 'coaps' : 'coap'}://${h}:${port}/${resourceText([...basePath, ...resource])}`;
  }

  async send(request: CoapRequest): Promise<CoapAnswer | null> {
    if (this.socket instanceof DtlsDatagramSocket) await this.socket.connect();
    return this.exchange(request);
  }

  private exchange(request: CoapRequest): Promise<CoapAnswer | null> {
    const { server, confirmable, blockSize, requestTimeoutMs } = this.config;
    const payload = request.payload;
    const blockwise = payload !== undefined && payload.length > blockSize;
    const req = this.agent.request({
      hostname: server.host,
      port: server.port,
      method: request.method,
      pathname: [...server.basePath, ...request.resource].join('/'),
      // Block-wise transfers are confirmable whatever is configured (RFC 7959 needs each block acknowledged).
      confirmable: confirmable || blockwise,
    }) as unknown as OutgoingRequest;
    if (payload !== undefined) req.setOption('Content-Format', APPLICATION_JSON);
    if (blockwise) req.setOption('Block1', Buffer.from([Math.log2(blockSize) - 4]));

    return new Promise<CoapAnswer | null>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | null, answer?: CoapAnswer | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.pending.delete(finish);
        if (error) {
          this.agent.abort(req as never);
          reject(error);
        } else resolve(answer ?? null);
      };
      const timer = setTimeout(
        () =>
          finish(
            new CoapTimeoutError(
              `no answer from ${this.describe(request.resource)} to ${request.method} within ${requestTimeoutMs} ms`,
            ),
          ),
        requestTimeoutMs,
      );
      this.pending.add(finish);
      req.on('response', (res) => {
        if (res._packet?.reset || res.code === '0.00') {
          finish(
            new CoapResetError(`${this.describe(request.resource)} answered ${request.method} with a Reset`),
          );
        } else finish(null, { code: res.code, payload: res.payload });
      });
      req.on('error', (error) => finish(error));
      req.on('timeout', (error) => finish(new CoapTimeoutError(error.message)));
      if (!confirmable && !blockwise) {
        // At most once: sent is done. A late answer is still consumed by the Agent.
        req.sender.once('sent', (error) => finish(error ?? null, null));
      }
      req.end(payload);
    });
  }

  async close(): Promise<void> {
    for (const fail of [...this.pending])
      fail(new Error('the CoAP client was closed (the task is stopping)'));
    // Not awaited: with a socket of ours the Agent never calls back (it has nothing of its own to close).
    this.agent.close();
    await new Promise<void>((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
