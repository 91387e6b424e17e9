import {
  ConfigDef,
  ConfigException,
  parseKcqlConfig,
  secretValue,
  validators,
  type ConfigValue,
  type TombstoneMode,
} from '@sluice/core/sink';
import { targetRule } from './targets.js';

// `connect.coap.*`: the keys of Stream Reactor's CoAP sink (spec/stream-reactor-sinks.md §6.1, release
// 3.0.1) with the same names and defaults (the names of older releases, `bind.host`/`bind.port`, are
// accepted as aliases), and what Sluice adds: method, confirmable, max.in.flight, block.size,
// request.timeout and delete.on.stop.
// DTLS: pre-shared keys work (node-dtls-client). Certificates and raw public keys do not: no maintained
// Node DTLS client implements them, so their keys are refused with the reason instead of being ignored.

export const PREFIX = 'connect.coap';
export const KCQL_KEY = `${PREFIX}.kcql`;
export const URI = `${PREFIX}.uri`;
export const BIND_HOST = `${PREFIX}.host`;
export const BIND_PORT = `${PREFIX}.port`;
export const USERNAME = `${PREFIX}.username`;
export const PASSWORD = `${PREFIX}.password`;
export const PUBLIC_KEY_FILE = `${PREFIX}.public.key.file`;
export const PRIVATE_KEY_FILE = `${PREFIX}.private.key.file`;
export const TRUSTSTORE_PATH = `${PREFIX}.truststore.path`;
export const TRUSTSTORE_PASS = `${PREFIX}.truststore.pass`;
export const CERTS = `${PREFIX}.certs`;
export const KEYSTORE_PATH = `${PREFIX}.keystore.path`;
export const KEYSTORE_PASS = `${PREFIX}.keystore.pass`;
export const CERT_CHAIN_KEY = `${PREFIX}.cert.chain.key`;
export const METHOD = `${PREFIX}.method`;
export const CONFIRMABLE = `${PREFIX}.confirmable`;
export const MAX_IN_FLIGHT = `${PREFIX}.max.in.flight`;
export const BLOCK_SIZE = `${PREFIX}.block.size`;
export const REQUEST_TIMEOUT = `${PREFIX}.request.timeout`;
export const DELETE_ON_STOP = `${PREFIX}.delete.on.stop`;
export const BEHAVIOR_ON_NULL = `${PREFIX}.behavior.on.null.values`;

export const NULL_BEHAVIORS = ['FAIL', 'IGNORE', 'DELETE'] as const;

export const METHODS = ['PUT', 'POST'] as const;
export type CoapMethod = (typeof METHODS)[number];

/** CoAP block sizes (RFC 7959 §2.2: 2^(4+SZX) bytes, SZX 0–6). */
export const BLOCK_SIZES = [16, 32, 64, 128, 256, 512, 1024];

/** The default CoAP port (RFC 7252 §6.1) and the default CoAPS port (§6.2). */
export const COAP_PORT = 5683;
export const COAPS_PORT = 5684;

const REFUSED_DOC = 'Not supported (DTLS takes pre-shared keys only): setting it is refused at validation.';

const DTLS_CERTIFICATES_REFUSED =
  'DTLS with certificates or raw public keys is not supported: no maintained DTLS client for Node.js implements ' +
  'them (node-dtls-client, which Sluice uses, does pre-shared keys only). Use PSK (connect.coap.username and ' +
  'connect.coap.password with a coaps:// URI), or put a DTLS-terminating proxy in front of the server.';

/** The keys of the CoAP sink itself (the kit adds the common Stream Reactor keys). */
export function defineCoapKeys(def: ConfigDef = new ConfigDef()): ConfigDef {
  return def
    .define({
      name: URI,
      type: 'STRING',
      default: 'localhost',
      importance: 'HIGH',
      group: 'Connection',
      validator: (v) => {
        if (typeof v === 'string') parseServerUri(v);
      },
      doc:
        'The CoAP server: `coap://host[:port]` (UDP, port 5683 by default) or `coaps://host[:port]` (DTLS with a ' +
        'pre-shared key, port 5684 by default). A bare host name means `coap://<host>:5683`. Each KCQL target is a ' +
        'resource path under this URI.',
    })
    .define({
      name: BIND_HOST,
      type: 'STRING',
      default: 'localhost',
      importance: 'LOW',
      group: 'Connection',
      aliases: [`${PREFIX}.bind.host`],
      doc:
        'Local address the client socket binds to. With the default (`localhost`) the socket binds to every address ' +
        'when the server is not on this machine (or, with connect.coap.port 0, the operating system chooses), so that a ' +
        'remote server is reachable (the reference bound only its DTLS socket). ' +
        'Ignored for coaps:// (the DTLS client binds to all addresses).',
    })
    .define({
      name: BIND_PORT,
      type: 'INT',
      default: 0,
      importance: 'LOW',
      group: 'Connection',
      aliases: [`${PREFIX}.bind.port`],
      validator: validators.between(0, 65535),
      doc: 'Local UDP port the client socket binds to; 0 lets the operating system choose.',
    })
    .define({
      name: USERNAME,
      type: 'STRING',
      default: '',
      importance: 'MEDIUM',
      group: 'DTLS',
      doc: 'PSK identity for a coaps:// URI. Required with coaps://.',
    })
    .define({
      name: PASSWORD,
      type: 'PASSWORD',
      default: '',
      importance: 'MEDIUM',
      group: 'DTLS',
      doc: 'PSK secret (the key, as text) for a coaps:// URI. Masked in REST output and logs.',
    })
    .define({
      name: PUBLIC_KEY_FILE,
      type: 'STRING',
      default: '',
      importance: 'LOW',
      group: 'DTLS',
      validator: refusedWhenSet,
      doc: `Raw public key (PEM) used with PSK in the reference. ${REFUSED_DOC}`,
    })
    .define({
      name: PRIVATE_KEY_FILE,
      type: 'STRING',
      default: '',
      importance: 'LOW',
      group: 'DTLS',
      validator: refusedWhenSet,
      doc: `Private key (PKCS#8 PEM) used with PSK in the reference. ${REFUSED_DOC}`,
    })
    .define({
      name: TRUSTSTORE_PATH,
      type: 'STRING',
      default: '',
      importance: 'LOW',
      group: 'DTLS',
      validator: refusedWhenSet,
      doc: `JKS trust store for DTLS certificate mode. ${REFUSED_DOC}`,
    })
    .define({
      name: TRUSTSTORE_PASS,
      type: 'PASSWORD',
      default: 'rootPass',
      importance: 'LOW',
      group: 'DTLS',
      doc: 'Password of connect.coap.truststore.path (accepted for Stream Reactor configs; unused).',
    })
    .define({
      name: CERTS,
      type: 'LIST',
      default: [],
      importance: 'LOW',
      group: 'DTLS',
      validator: (v) => {
        if (Array.isArray(v) && v.some((c) => c.trim() !== '')) throw new Error(DTLS_CERTIFICATES_REFUSED);
      },
      doc: `Aliases of the trust-store certificates to trust. ${REFUSED_DOC}`,
    })
    .define({
      name: KEYSTORE_PATH,
      type: 'STRING',
      default: '',
      importance: 'LOW',
      group: 'DTLS',
      validator: refusedWhenSet,
      doc: `JKS key store for DTLS certificate mode. ${REFUSED_DOC}`,
    })
    .define({
      name: KEYSTORE_PASS,
      type: 'PASSWORD',
      default: 'rootPass',
      importance: 'LOW',
      group: 'DTLS',
      doc: 'Password of connect.coap.keystore.path (accepted for Stream Reactor configs; unused).',
    })
    .define({
      name: CERT_CHAIN_KEY,
      type: 'STRING',
      default: 'client',
      importance: 'LOW',
      group: 'DTLS',
      doc: 'Key-store alias of the client certificate chain (accepted for Stream Reactor configs; unused, see connect.coap.keystore.path).',
    })
    .define({
      name: METHOD,
      type: 'STRING',
      default: 'PUT',
      importance: 'MEDIUM',
      group: 'Delivery',
      recommendedValues: [...METHODS],
      validator: validators.oneOf([...METHODS]),
      doc: 'CoAP method of each record: PUT (the reference: the resource holds the last record) or POST.',
    })
    .define({
      name: CONFIRMABLE,
      type: 'BOOLEAN',
      default: true,
      importance: 'MEDIUM',
      group: 'Delivery',
      doc:
        'true: confirmable requests; a record counts as written only after the server acknowledged it and answered 2.xx ' +
        '(at least once). false: non-confirmable requests, sent once and not acknowledged (at most once: a lost ' +
        'datagram or a server that is down loses records without an error).',
    })
    .define({
      name: MAX_IN_FLIGHT,
      type: 'INT',
      default: 8,
      importance: 'LOW',
      group: 'Delivery',
      validator: validators.between(1, 1024),
      doc:
        "Requests outstanding at once per task (CoAP's NSTART, RFC 7252 §4.7, raised from 1 because the server is " +
        'known). At most one per resource, so that each resource receives its records in order.',
    })
    .define({
      name: BLOCK_SIZE,
      type: 'INT',
      default: 1024,
      importance: 'LOW',
      group: 'Delivery',
      recommendedValues: BLOCK_SIZES.map(String),
      validator: (v) => {
        if (typeof v === 'number' && !BLOCK_SIZES.includes(v))
          throw new Error(`must be one of ${BLOCK_SIZES.join(', ')}`);
      },
      doc: 'A payload longer than this many bytes is sent block-wise (Block1, RFC 7959) in blocks of this size.',
    })
    .define({
      name: REQUEST_TIMEOUT,
      type: 'INT',
      default: 93000,
      importance: 'LOW',
      group: 'Delivery',
      validator: validators.atLeast(100),
      doc:
        'Milliseconds a confirmable request may take, retransmissions included (default: MAX_TRANSMIT_WAIT of RFC 7252 ' +
        'with its default ACK_TIMEOUT 2 s, MAX_RETRANSMIT 4). Past it the batch fails with a transient error (error policy).',
    })
    .define({
      name: DELETE_ON_STOP,
      type: 'BOOLEAN',
      default: false,
      importance: 'LOW',
      group: 'Delivery',
      doc:
        'true: when the task stops, send DELETE to every static KCQL target resource, as the reference always did. ' +
        'Off by default: a restart or rebalance would otherwise delete server state.',
    })
    .define({
      name: BEHAVIOR_ON_NULL,
      type: 'STRING',
      default: 'FAIL',
      importance: 'MEDIUM',
      group: 'Delivery',
      recommendedValues: [...NULL_BEHAVIORS],
      validator: validators.oneOf([...NULL_BEHAVIORS]),
      doc:
        'What a tombstone (a record with a null value) does. FAIL: a record error (DLQ / errors.tolerance), as the ' +
        "reference. IGNORE: skipped. DELETE: a DELETE of the record's resource (a resource named by _key or _header.<name>).",
    });
}

function refusedWhenSet(value: ConfigValue): void {
  if (typeof value === 'string' && value.trim() !== '') throw new Error(DTLS_CERTIFICATES_REFUSED);
}

export interface ServerAddress {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  /** Path segments of the URI itself, put before each resource path. */
  readonly basePath: readonly string[];
}

/** `coap://h:p/base`, `coaps://…` or a bare host; throws a message saying what is wrong. */
export function parseServerUri(text: string): ServerAddress {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('must be a CoAP URI, coap://host[:port] or coaps://host[:port]');
  if (/^discoverIP[46]$/i.test(trimmed)) {
    throw new Error(
      `${trimmed} (multicast server discovery) is not supported; give the server's address, coap://host[:port]`,
    );
  }
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `coap://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`'${trimmed}' is not a URI; expected coap://host[:port] or coaps://host[:port]`);
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (scheme !== 'coap' && scheme !== 'coaps') {
    throw new Error(
      `scheme ${scheme}:// is not supported; use coap:// (UDP) or coaps:// (DTLS)` +
        (scheme.includes('tcp') || scheme.includes('ws')
          ? ' (CoAP over TCP/WebSockets is not implemented)'
          : ''),
    );
  }
  if (url.search !== '' || url.hash !== '')
    throw new Error('must not carry a query or fragment; put the resource in the KCQL target');
  const secure = scheme === 'coaps';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new Error(`'${trimmed}' has no host`);
  return {
    secure,
    host,
    port: url.port === '' ? (secure ? COAPS_PORT : COAP_PORT) : Number(url.port),
    basePath: url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s)),
  };
}

export interface CoapSinkConfig {
  readonly server: ServerAddress;
  /** Undefined: let the operating system choose the local address and port. */
  readonly bind?: { readonly host: string; readonly port: number };
  readonly psk?: { readonly identity: string; readonly secret: string };
  readonly method: CoapMethod;
  readonly confirmable: boolean;
  readonly maxInFlight: number;
  readonly blockSize: number;
  readonly requestTimeoutMs: number;
  /** Static KCQL target resources to DELETE when the task stops (connect.coap.delete.on.stop); else empty. */
  readonly deleteOnStop: readonly (readonly string[])[];
  readonly tombstones: TombstoneMode;
}

/** The connector's own settings from values parsed by the ConfigDef; cross-key errors name the key. */
export function coapSinkConfig(
  parsed: Record<string, ConfigValue>,
  props: Record<string, string> = {},
): CoapSinkConfig {
  const server = parseServerUri(String(parsed[URI]));
  const identity = String(parsed[USERNAME] ?? '');
  const secret = secretValue(parsed[PASSWORD]);
  if (server.secure && (identity === '' || secret === '')) {
    throw new ConfigException(
      identity === '' ? USERNAME : PASSWORD,
      `a coaps:// URI needs a pre-shared key: set ${USERNAME} (PSK identity) and ${PASSWORD} (PSK secret). ` +
        `Without a username the reference used certificates from a key store: ${DTLS_CERTIFICATES_REFUSED}`,
    );
  }
  if (!server.secure && (identity !== '' || secret !== '')) {
    throw new ConfigException(
      URI,
      `${USERNAME}/${PASSWORD} (a DTLS pre-shared key) are set but the URI is not coaps://; use coaps://host[:port] or remove them.`,
    );
  }
  const bindHost = String(parsed[BIND_HOST] ?? 'localhost').trim();
  const bindPort = parsed[BIND_PORT] as number;
  const hostDefault = bindHost === 'localhost' || bindHost === '';
  const bindDefault = hostDefault && bindPort === 0;
  // The default host (`localhost`) with a port: bind that port on every address, unless the server is
  // on this machine, so that a remote server stays reachable.
  const host =
    hostDefault && !isLoopback(server.host)
      ? server.host.includes(':')
        ? '::'
        : '0.0.0.0'
      : bindHost || 'localhost';
  return {
    server,
    bind: bindDefault ? undefined : { host, port: bindPort },
    psk: server.secure ? { identity, secret } : undefined,
    method: String(parsed[METHOD]).toUpperCase() as CoapMethod,
    confirmable: parsed[CONFIRMABLE] as boolean,
    maxInFlight: parsed[MAX_IN_FLIGHT] as number,
    blockSize: parsed[BLOCK_SIZE] as number,
    requestTimeoutMs: parsed[REQUEST_TIMEOUT] as number,
    deleteOnStop: parsed[DELETE_ON_STOP] ? staticTargets(props) : [],
    tombstones: String(parsed[BEHAVIOR_ON_NULL]).toLowerCase() as TombstoneMode,
  };
}

/** The fixed resources the KCQL writes to (dynamic `_key`/`_value`/`_header` targets have none). */
function staticTargets(props: Record<string, string>): string[][] {
  const out: string[][] = [];
  parseKcqlConfig(props[KCQL_KEY], KCQL_KEY).forEach((statement, i) => {
    const rule = targetRule(statement, `statement ${i + 1}`);
    if (rule.kind === 'static') out.push([...rule.segments]);
  });
  return out;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
