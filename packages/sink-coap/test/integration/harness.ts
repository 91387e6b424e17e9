import { createServer, request, type IncomingMessage, type OutgoingMessage, type Server } from 'coap';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, uniqueName, type KafkaIt } from '@sluice/test-utils';

// What every CoAP integration test shares: the real servers of test-infra (Kafka, the schema registry,
// libcoap's coap-server), a resource prefix of its own per test file, a node-coap server the test runs
// itself (a second peer that counts every request, and that a test may stop and start), and this
// sink's connector properties.

export interface CoapIt extends KafkaIt {
  registryUrl: string;
  /** libcoap, coap://127.0.0.1:5683. */
  coapHost: string;
  coapPort: number;
  /** A path prefix no other test file uses, so that resources do not collide on the shared server. */
  prefix: string;
}

export async function setUpCoapIt(): Promise<CoapIt> {
  const services = await ensureServices(['kafka', 'schema-registry', 'coap']);
  const bootstrapServers = services['kafka']!['bootstrapServers'] as string;
  return {
    kafka: new KafkaTestClient(bootstrapServers),
    bootstrapServers,
    registryUrl: services['schema-registry']!['url'] as string,
    coapHost: services['coap']!.host,
    coapPort: services['coap']!.port,
    prefix: uniqueName('it'),
  };
}

export async function tearDownCoapIt(it: CoapIt | undefined): Promise<void> {
  await it?.kafka.close();
}

/** Connector properties for this sink, reading `topic`, sending to `uri` (libcoap by default). */
export function coapConnector(
  it: CoapIt,
  name: string,
  topic: string,
  kcql: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    name,
    'connector.class': 'com.datamountaineer.streamreactor.connect.coap.sink.CoapSinkConnector',
    'tasks.max': '1',
    topics: topic,
    'connect.coap.uri': `coap://${it.coapHost}:${it.coapPort}`,
    'connect.coap.kcql': kcql,
    ...extra,
  };
}

export interface CoapAnswerToClient {
  code: string;
  payload: string;
}

/** One confirmable request with node-coap, e.g. a GET to read what the sink left on a resource (`path?query`). */
export function coapRequest(
  host: string,
  port: number,
  method: 'GET' | 'PUT' | 'DELETE',
  path: string,
): Promise<CoapAnswerToClient> {
  return new Promise((resolve, reject) => {
    const [pathname, query] = path.split('?');
    const req = request({ hostname: host, port, pathname, query, method, confirmable: true });
    req.on('response', (res: IncomingMessage) =>
      resolve({ code: res.code, payload: res.payload.toString('utf8') }),
    );
    req.on('error', reject);
    req.end();
  });
}

export interface Received {
  method: string;
  path: string;
  payload: string;
  contentFormat: unknown;
  confirmable: boolean;
}

/**
 * A node-coap server on 127.0.0.1 that records every request it handles (node-coap answers a
 * retransmitted message from its cache without calling the handler, so each request counts once), and
 * answers 2.04, or what `answer` says.
 */
export class CountingServer {
  readonly received: Received[] = [];
  private server: Server | null = null;

  constructor(
    readonly port: number,
    private readonly answer: (r: Received) => string = () => '2.04',
  ) {}

  async start(): Promise<void> {
    const server = createServer({ type: 'udp4' }, (req: IncomingMessage, res: OutgoingMessage) => {
      const r: Received = {
        method: req.method,
        path: req.url.replace(/^\//, ''),
        payload: req.payload.toString('utf8'),
        contentFormat: req.headers['Content-Format'],
        confirmable: (req as unknown as { _packet: { confirmable: boolean } })._packet.confirmable,
      };
      this.received.push(r);
      res.code = this.answer(r);
      res.end();
    });
    await new Promise<void>((resolve, reject) =>
      server.listen(this.port, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve())),
    );
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Payloads a resource received, in the order it received them. */
  payloads(path: string): string[] {
    return this.received.filter((r) => r.path === path).map((r) => r.payload);
  }
}

/** A UDP port nobody listens on now. */
export async function freeUdpPort(): Promise<number> {
  const { createSocket } = await import('node:dgram');
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}
