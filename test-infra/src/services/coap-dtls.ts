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
const PORT = 5693;
const DTLS_PORT = PORT + 1;
const PSK_IDENTITY = 'sluice';
const PSK_KEY = 'sluice-test-psk';
const MAX_DYNAMIC_RESOURCES = 100_000;

const coapDtls: ServiceDefinition = {
  name: 'coap-dtls',
  ports: [PORT, DTLS_PORT],
  memory: 'a few MiB',
  startTimeoutMs: 15_000,

  isInstalled: () => aptInstalled(PACKAGES),

  install: (ctx) => aptInstall(ctx, PACKAGES),

  async prepare(ctx) {
    return {
      command: SERVER,
      args: ['-A', HOST, '-p', String(PORT), '-k', PSK_KEY, '-d', String(MAX_DYNAMIC_RESOURCES)],
      cwd: ctx.dataDir,
    };
  },

  // The plain-UDP listener belongs to the same process, so it answering means the server is up.
  healthy: () => answersDiscovery(PORT),

  info() {
    return {
      name: 'coap-dtls',
      host: HOST,
      port: DTLS_PORT,
      url: `coaps://${HOST}:${DTLS_PORT}`,
      plainUrl: `coap://${HOST}:${PORT}`,
      pskIdentity: PSK_IDENTITY,
      pskKey: PSK_KEY,
    };
  },
};

export default coapDtls;
