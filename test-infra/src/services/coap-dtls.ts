import { aptInstall, aptInstalled } from '../installers/apt.js';
import type { ServiceDefinition } from '../service.js';
import { answersDiscovery } from './coap.js';

// libcoap's example server built with OpenSSL (Debian's libcoap3-bin), for DTLS tests: plain CoAP on
// UDP 5693 and CoAP over DTLS on 5694 (libcoap listens for DTLS on port + 1), with dynamic resources
// like the `coap` service. Pre-shared key mode: any identity, the key below (test material). The server
// sends its default PSK identity hint ("CoAP"), as a stock libcoap does.
const PACKAGES = ['libcoap3-bin'];
const SERVER = '/usr/bin/coap-server-openssl';
const HOST = '127.0.0.1';
const PSK_IDENTITY = 'sluice';
const PSK_KEY = 'sluice-test-psk';
const MAX_DYNAMIC_RESOURCES = 100_000;

const coapDtls: ServiceDefinition = {
  name: 'coap-dtls',
  prerequisites: { install: ['debian-root'] },
  // libcoap listens for DTLS on the CoAP port + 1; there is no option to choose it apart.
  ports: { coap: 5693, dtls: 5694 },
  memory: 'a few MiB',
  startTimeoutMs: 15_000,

  isInstalled: () => aptInstalled(PACKAGES),

  install: (ctx) => aptInstall(ctx, PACKAGES),

  async prepare(ctx) {
    if (ctx.ports.dtls !== ctx.ports.coap! + 1)
      throw new Error(
        `coap-dtls: libcoap serves DTLS on the CoAP port + 1; got ports ${JSON.stringify(ctx.ports)}`,
      );
    return {
      command: SERVER,
      args: ['-A', HOST, '-p', String(ctx.ports.coap), '-k', PSK_KEY, '-d', String(MAX_DYNAMIC_RESOURCES)],
      cwd: ctx.dataDir,
    };
  },

  // The plain-UDP listener belongs to the same process, so it answering means the server is up.
  healthy: (ctx) => answersDiscovery(ctx.ports.coap!),

  info(ctx) {
    const dtls = ctx.ports.coap! + 1;
    return {
      name: 'coap-dtls',
      host: HOST,
      port: ctx.ports.coap!,
      url: `coaps://${HOST}:${dtls}`,
      plainUrl: `coap://${HOST}:${ctx.ports.coap!}`,
      pskIdentity: PSK_IDENTITY,
      pskKey: PSK_KEY,
    };
  },
};

export default coapDtls;
