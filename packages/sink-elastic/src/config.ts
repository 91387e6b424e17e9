import {
  ConfigDef,
  ConfigException,
  defineSslKeys,
  secretValue,
  sslSettings,
  validators,
  type ConfigValue,
  type SslSettings,
} from '@sluice/core/sink';

// `connect.elastic.*`: the keys of Stream Reactor's Elasticsearch 6/7 sink (spec/stream-reactor-sinks.md
// §8.1) with the same names and defaults, the 5.x keys its users still have in their configs (translated,
// or refused when they only mean something to the TCP transport), Kafka's `ssl.*` client keys (the
// kit's TLS key group: JKS, PKCS12 or PEM), and what Sluice adds (API key, bulk byte limit, bulk
// requests in flight). The kit adds the common `kcql`, `error.policy`, `max.retries`,
// `retry.interval` and `connect.progress.enabled` keys.

export const PREFIX = 'connect.elastic';
export const KCQL_KEY = `${PREFIX}.kcql`;
export const PROTOCOL = `${PREFIX}.protocol`;
export const HOSTS = `${PREFIX}.hosts`;
export const PORT = `${PREFIX}.port`;
export const TABLE_PREFIX = `${PREFIX}.tableprefix`;
export const CLUSTER_NAME = `${PREFIX}.cluster.name`;
export const WRITE_TIMEOUT = `${PREFIX}.write.timeout`;
export const BATCH_SIZE = `${PREFIX}.batch.size`;
export const PK_SEPARATOR = `${PREFIX}.pk.separator`;
export const HTTP_USERNAME = `${PREFIX}.use.http.username`;
export const HTTP_PASSWORD = `${PREFIX}.use.http.password`;
export const API_KEY = `${PREFIX}.api.key`;
export const BULK_MAX_BYTES = `${PREFIX}.bulk.max.bytes`;
export const MAX_IN_FLIGHT = `${PREFIX}.max.in.flight`;
// Elasticsearch 5.x sink keys.
export const URL = `${PREFIX}.url`;
export const URL_PREFIX = `${PREFIX}.url.prefix`;
export const USE_HTTP = `${PREFIX}.use.http`;
export const XPACK_SETTINGS = `${PREFIX}.xpack.settings`;
export const XPACK_PLUGINS = `${PREFIX}.xpack.plugins`;

export const SSL_ENDPOINT_IDENTIFICATION = 'ssl.endpoint.identification.algorithm';

const DEFAULT_PORT = 9300;

export const KCQL_DOC =
  'KCQL statements: `INSERT|UPSERT INTO <index> SELECT <fields>|* FROM <topic> [IGNORE …] [AUTOCREATE] [WITHSTRUCTURE] [PK …] ' +
  "[WITHDOCTYPE = t] [WITHINDEXSUFFIX = _{yyyy-MM-dd}] [WITHPIPELINE = p] [PROPERTIES('behavior.on.null.values'='IGNORE|DELETE|FAIL')]`, separated by `;`.";

export const configDef: ConfigDef = defineSslKeys(
  new ConfigDef()
    .define({
      name: PROTOCOL,
      type: 'STRING',
      default: 'http',
      importance: 'HIGH',
      group: 'Connection',
      recommendedValues: ['http', 'https'],
      validator: (v) =>
        validators.oneOf(['http', 'https'])(typeof v === 'string' ? v.toLowerCase() : v, PROTOCOL),
      doc: 'http or https.',
    })
    .define({
      name: HOSTS,
      type: 'STRING',
      default: 'localhost',
      importance: 'HIGH',
      group: 'Connection',
      doc: 'Comma-separated host names of the cluster (no scheme, no port: connect.elastic.port applies to every host). Requests are spread over them.',
    })
    .define({
      name: PORT,
      type: 'INT',
      default: DEFAULT_PORT,
      importance: 'HIGH',
      group: 'Connection',
      validator: validators.atLeast(1),
      doc: "HTTP port of every host. The default, 9300, is Stream Reactor's and is the transport port: set the REST port (usually 9200).",
    })
    .define({
      name: TABLE_PREFIX,
      type: 'STRING',
      default: '',
      importance: 'LOW',
      group: 'Connection',
      doc: 'Path prefix of every request, for a cluster behind a proxy that serves it under a path (e.g. `es` → http://host:port/es/_bulk).',
    })
    .define({
      name: CLUSTER_NAME,
      type: 'STRING',
      default: 'elasticsearch',
      importance: 'LOW',
      group: 'Connection',
      doc: 'Accepted for Stream Reactor configs; a REST client does not need the cluster name (not used).',
    })
    .define({
      name: HTTP_USERNAME,
      type: 'STRING',
      default: '',
      importance: 'MEDIUM',
      group: 'Connection',
      doc: 'User for HTTP basic authentication (with connect.elastic.use.http.password).',
    })
    .define({
      name: HTTP_PASSWORD,
      type: 'PASSWORD',
      default: '',
      importance: 'MEDIUM',
      group: 'Connection',
      doc: 'Password for HTTP basic authentication.',
    })
    .define({
      name: API_KEY,
      type: 'PASSWORD',
      default: '',
      importance: 'MEDIUM',
      group: 'Connection',
      doc: 'Elasticsearch API key (the base64 `encoded` value, or `id:api_key`), sent as `Authorization: ApiKey …`. Instead of basic authentication.',
    })
    .define({
      name: WRITE_TIMEOUT,
      type: 'INT',
      default: 300000,
      importance: 'MEDIUM',
      group: 'Writes',
      validator: validators.atLeast(1),
      doc: 'Milliseconds one bulk request may take before it counts as failed (a transient error: the error policy applies).',
    })
    .define({
      name: BATCH_SIZE,
      type: 'INT',
      default: 4000,
      importance: 'MEDIUM',
      group: 'Writes',
      validator: validators.atLeast(1),
      doc: 'Most actions in one bulk request.',
    })
    .define({
      name: BULK_MAX_BYTES,
      type: 'INT',
      default: 5 * 1024 * 1024,
      importance: 'LOW',
      group: 'Writes',
      validator: validators.atLeast(1024),
      doc: 'Most bytes in one bulk request body; a bulk is cut at whichever of this and connect.elastic.batch.size comes first.',
    })
    .define({
      name: MAX_IN_FLIGHT,
      type: 'INT',
      default: 2,
      importance: 'LOW',
      group: 'Writes',
      validator: validators.atLeast(1),
      doc: 'Bulk requests in flight at once per task.',
    })
    .define({
      name: PK_SEPARATOR,
      type: 'STRING',
      default: '-',
      importance: 'MEDIUM',
      group: 'Writes',
      doc: 'Joins the values of several PK fields into one document id, and topic, partition and offset into the id of a record without PK.',
    })
    .define({
      name: URL,
      type: 'STRING',
      default: '',
      importance: 'LOW',
      group: 'Elasticsearch 5.x keys',
      aliases: [`${PREFIX}.uri`],
      doc:
        'Elasticsearch 5.x (and 2.x `connect.elastic.uri`) sink: comma-separated `host:port` list. When set it is used instead of ' +
        'connect.elastic.hosts and connect.elastic.port; a port 9300 (the transport port) is refused, as a REST client cannot use it.',
    })
    .define({
      name: URL_PREFIX,
      type: 'STRING',
      default: 'elasticsearch',
      importance: 'LOW',
      group: 'Elasticsearch 5.x keys',
      doc: 'Elasticsearch 5.x sink: the URI scheme of connect.elastic.url. `elasticsearch` (its default) means connect.elastic.protocol; `http` or `https` sets the protocol.',
    })
    .define({
      name: USE_HTTP,
      type: 'STRING',
      default: '',
      importance: 'LOW',
      group: 'Elasticsearch 5.x keys',
      doc: 'Elasticsearch 5.x sink: `http` is accepted (Sluice always uses HTTP); `tcp` (the TCP transport) is refused.',
    })
    .define({
      name: XPACK_SETTINGS,
      type: 'PASSWORD',
      default: '',
      importance: 'LOW',
      group: 'Elasticsearch 5.x keys',
      doc: 'Elasticsearch 5.x X-Pack TCP transport settings: refused when set (use connect.elastic.use.http.username/password or connect.elastic.api.key, and the ssl.* keys).',
    })
    .define({
      name: XPACK_PLUGINS,
      type: 'STRING',
      default: '',
      importance: 'LOW',
      group: 'Elasticsearch 5.x keys',
      doc: 'Elasticsearch 5.x X-Pack TCP transport plugins: refused when set (a REST client loads no transport plugins).',
    })
    .define({
      name: SSL_ENDPOINT_IDENTIFICATION,
      type: 'STRING',
      default: 'https',
      importance: 'LOW',
      group: 'TLS',
      doc: 'Set to an empty value to skip checking that the server certificate matches the host name (like Kafka clients).',
    }),
);

export interface TlsSettings extends SslSettings {
  readonly checkHostname: boolean;
}

export type ElasticAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'apiKey'; readonly apiKey: string };

export interface ElasticSettings {
  /** `http(s)://host:port[/prefix]`, one per host. */
  readonly nodes: readonly string[];
  readonly auth: ElasticAuth;
  readonly tls: TlsSettings;
  readonly writeTimeoutMs: number;
  readonly batchSize: number;
  readonly bulkMaxBytes: number;
  readonly maxInFlight: number;
  readonly pkSeparator: string;
}

/** The connector's own settings from values parsed by `configDef`; cross-key errors name the key at fault. */
export function elasticSettings(parsed: Record<string, ConfigValue>): ElasticSettings {
  refuseTransportKeys(parsed);
  return {
    nodes: nodeUrls(parsed),
    auth: auth(parsed),
    tls: {
      ...sslSettings(parsed),
      checkHostname: String(parsed[SSL_ENDPOINT_IDENTIFICATION] ?? 'https').trim() !== '',
    },
    writeTimeoutMs: parsed[WRITE_TIMEOUT] as number,
    batchSize: parsed[BATCH_SIZE] as number,
    bulkMaxBytes: parsed[BULK_MAX_BYTES] as number,
    maxInFlight: parsed[MAX_IN_FLIGHT] as number,
    pkSeparator: String(parsed[PK_SEPARATOR] ?? '-'),
  };
}

function refuseTransportKeys(parsed: Record<string, ConfigValue>): void {
  const useHttp = String(parsed[USE_HTTP] ?? '')
    .trim()
    .toLowerCase();
  if (useHttp !== '' && useHttp !== 'http') {
    throw new ConfigException(
      USE_HTTP,
      `'${useHttp}' asks for the Elasticsearch TCP transport, which Sluice does not have (Elasticsearch 8 removed it too). ` +
        `Remove ${USE_HTTP} (or set it to http) and point ${URL} or ${HOSTS}/${PORT} at the REST port, usually 9200.`,
    );
  }
  if (secretValue(parsed[XPACK_SETTINGS]).trim() !== '') {
    throw new ConfigException(
      XPACK_SETTINGS,
      `X-Pack settings configure the TCP transport client, which Sluice does not have. Use ${HTTP_USERNAME}/${HTTP_PASSWORD} ` +
        `or ${API_KEY} for credentials and the ssl.* keys with ${PROTOCOL}=https for TLS.`,
    );
  }
  if (String(parsed[XPACK_PLUGINS] ?? '').trim() !== '') {
    throw new ConfigException(
      XPACK_PLUGINS,
      'X-Pack transport plugins are Java classes for the TCP transport client; a REST client needs none. Remove the key.',
    );
  }
}

function nodeUrls(parsed: Record<string, ConfigValue>): string[] {
  let protocol = String(parsed[PROTOCOL]).toLowerCase();
  const prefix = String(parsed[TABLE_PREFIX] ?? '')
    .trim()
    .replace(/^\/+|\/+$/g, '');
  const path = prefix === '' ? '' : `/${prefix}`;
  const url = String(parsed[URL] ?? '').trim();
  if (url === '') {
    const port = parsed[PORT] as number;
    const hosts = splitList(String(parsed[HOSTS]));
    if (hosts.length === 0) throw new ConfigException(HOSTS, 'names no host.');
    for (const host of hosts) {
      if (/[/:]/.test(host) && !host.startsWith('[')) {
        throw new ConfigException(
          HOSTS,
          `'${host}' is not a plain host name: give the scheme in ${PROTOCOL} and the port in ${PORT}.`,
        );
      }
    }
    return hosts.map((h) => `${protocol}://${h}:${port}${path}`);
  }
  const scheme = String(parsed[URL_PREFIX] ?? 'elasticsearch')
    .trim()
    .toLowerCase();
  if (scheme === 'http' || scheme === 'https') protocol = scheme;
  else if (scheme !== 'elasticsearch' && scheme !== '') {
    throw new ConfigException(URL_PREFIX, `'${scheme}' is not a scheme Sluice knows: use http or https.`);
  }
  return splitList(url).map((entry) => {
    const m = /^(?:[a-z]+:\/\/)?([^/:]+|\[[^\]]+\])(?::(\d+))?\/?$/i.exec(entry);
    if (!m) throw new ConfigException(URL, `'${entry}' is not a host:port pair.`);
    const port = m[2] === undefined ? DEFAULT_PORT : Number(m[2]);
    if (port === DEFAULT_PORT) {
      throw new ConfigException(
        URL,
        `${entry}: port 9300 is the Elasticsearch TCP transport, which a REST client cannot use. Give the HTTP port, usually 9200.`,
      );
    }
    return `${protocol}://${m[1]}:${port}${path}`;
  });
}

function auth(parsed: Record<string, ConfigValue>): ElasticAuth {
  const username = String(parsed[HTTP_USERNAME] ?? '');
  const password = secretValue(parsed[HTTP_PASSWORD]);
  const apiKey = secretValue(parsed[API_KEY]).trim();
  if (apiKey !== '') {
    if (username !== '') {
      throw new ConfigException(API_KEY, `set either ${API_KEY} or ${HTTP_USERNAME}, not both.`);
    }
    return { kind: 'apiKey', apiKey };
  }
  // As in Stream Reactor, basic authentication needs both halves; one alone is a mistake worth naming.
  if (username !== '' && password === '') {
    throw new ConfigException(HTTP_PASSWORD, `${HTTP_USERNAME} is set but the password is empty.`);
  }
  if (username === '' && password !== '') {
    throw new ConfigException(HTTP_USERNAME, `${HTTP_PASSWORD} is set but the user name is empty.`);
  }
  return username === '' ? { kind: 'none' } : { kind: 'basic', username, password };
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
