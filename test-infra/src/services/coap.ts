import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { aptInstall, aptInstalled } from '../installers/apt.js';
import type { ServiceDefinition } from '../service.js';

// libcoap's example server from Debian (libcoap3-bin ships one binary per TLS flavour; this is the
// plain-UDP/TCP one). `-d` lets a PUT or POST to an unknown path create the resource, which is what a
// sink writing to arbitrary topics-as-paths needs; past that many resources it answers 4.06.
const PACKAGES = ['libcoap3-bin'];
const SERVER = '/usr/bin/coap-server-notls';
const HOST = '127.0.0.1';
const MAX_DYNAMIC_RESOURCES = 100_000;

/** CoAP GET /.well-known/core (confirmable, no token); the server answers 2.05 Content when it serves. */
function answersDiscovery(port: number, timeoutMs = 2_000): Promise<boolean> {
  const option = (delta: number, value: string) => [
    Buffer.from([(delta << 4) | value.length]),
    Buffer.from(value),
  ];
  const request = Buffer.concat([
    Buffer.from([0x40, 0x01]), // version 1, confirmable, token length 0; GET
    randomBytes(2), // message id
    ...option(11, '.well-known'), // Uri-Path is option 11
    ...option(0, 'core'),
  ]);
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('error', () => done(false));
    socket.once('message', (reply) =>
      done(reply.length >= 4 && reply[1] === 0x45 && reply.subarray(2, 4).equals(request.subarray(2, 4))),
    );
    socket.send(request, port, HOST);
  });
}

const coap: ServiceDefinition = {
  name: 'coap',
  prerequisites: { install: ['debian-root'] },
  // UDP and TCP (coap:// and coap+tcp://).
  ports: { coap: 5683 },
  memory: 'a few MiB',
  startTimeoutMs: 15_000,

  isInstalled: () => aptInstalled(PACKAGES),

  install: (ctx) => aptInstall(ctx, PACKAGES),

  async prepare(ctx) {
    return {
      command: SERVER,
      args: ['-A', HOST, '-p', String(ctx.ports.coap), '-d', String(MAX_DYNAMIC_RESOURCES)],
      cwd: ctx.dataDir,
    };
  },

  healthy: (ctx) => answersDiscovery(ctx.ports.coap),

  info(ctx) {
    const port = ctx.ports.coap;
    return {
      name: 'coap',
      host: HOST,
      port,
      url: `coap://${HOST}:${port}`,
      tcpUrl: `coap+tcp://${HOST}:${port}`,
    };
  },
};

export default coap;
