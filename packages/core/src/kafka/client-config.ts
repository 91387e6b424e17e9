import { ConfigException } from '../errors.js';

// Kafka client settings in Kafka's own property names, resolved per client role the way Kafka Connect
// does it: worker-level keys, then the worker's `consumer.` / `producer.` / `admin.` prefixed keys,
// then the connector's overrides (`consumer.override.*` …, already stripped by the caller).

export type ClientRole = 'consumer' | 'producer' | 'admin';

const ROLE_PREFIXES = ['consumer.', 'producer.', 'admin.'] as const;

/** The effective properties of one client of `role`. */
export function clientPropsFor(
  role: ClientRole,
  workerClientConfig: Record<string, string>,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const props: Record<string, string> = {};
  for (const [k, v] of Object.entries(workerClientConfig)) {
    if (!ROLE_PREFIXES.some((p) => k.startsWith(p))) props[k] = v;
  }
  const prefix = `${role}.`;
  for (const [k, v] of Object.entries(workerClientConfig)) {
    if (k.startsWith(prefix)) props[k.slice(prefix.length)] = v;
  }
  return { ...props, ...overrides };
}

/** Keys of `config` that start with `prefix`, with the prefix removed (e.g. `consumer.override.`). */
export function withPrefixStripped(config: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

export interface JaasConfig {
  loginModule: string;
  options: Record<string, string>;
}

/**
 * Parses a `sasl.jaas.config` value such as
 * `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";`.
 * Errors never quote the value: it holds a password.
 */
export function parseJaasConfig(text: string): JaasConfig {
  const m = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\s*([\s\S]*?)\s*;?\s*$/.exec(text);
  if (!m) {
    throw new ConfigException(
      'sasl.jaas.config',
      'expected "<LoginModule class> required key="value" ...;" (value not shown: it holds credentials)',
    );
  }
  const options: Record<string, string> = {};
  const optionRe = /([\w.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s";]+))/g;
  let rest = m[3]!;
  for (let o = optionRe.exec(rest); o; o = optionRe.exec(rest)) {
    options[o[1]!] = o[2] !== undefined ? o[2].replace(/\\(.)/g, '$1') : o[3]!;
  }
  rest = rest.replace(optionRe, '').trim();
  if (rest !== '') {
    throw new ConfigException(
      'sasl.jaas.config',
      'could not parse the login module options (value not shown: it holds credentials)',
    );
  }
  return { loginModule: m[1]!, options };
}

/** Reads an integer property, or undefined when absent; throws ConfigException naming the key. */
export function intProp(props: Record<string, string>, key: string): number | undefined {
  const raw = props[key];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw.trim());
  if (!Number.isInteger(n)) throw new ConfigException(key, `Not a number of type INT: '${raw}'`);
  return n;
}

/** `connector.client.config.override.policy`: which `<client>.override.*` keys a connector may set. */
export const OVERRIDE_POLICIES = ['None', 'Principal', 'All'] as const;
export type OverridePolicy = (typeof OVERRIDE_POLICIES)[number];

const OVERRIDE_PREFIXES = ['consumer.override.', 'producer.override.', 'admin.override.'];
// Kafka's PrincipalConnectorClientConfigOverridePolicy: a connector may choose who it connects as.
const PRINCIPAL_KEYS = ['sasl.jaas.config', 'sasl.mechanism', 'security.protocol'];

/** The connector's override keys the policy forbids, each with the reason (for validate and task start). */
export function overridePolicyViolations(
  policy: OverridePolicy,
  connectorConfig: Record<string, string>,
): { key: string; message: string }[] {
  if (policy === 'All') return [];
  const out: { key: string; message: string }[] = [];
  for (const key of Object.keys(connectorConfig)) {
    const prefix = OVERRIDE_PREFIXES.find((p) => key.startsWith(p));
    if (prefix === undefined) continue;
    const clientKey = key.slice(prefix.length);
    if (policy === 'Principal' && PRINCIPAL_KEYS.includes(clientKey)) continue;
    out.push({
      key,
      message:
        `The '${policy}' policy does not allow '${clientKey}' to be overridden in the connector configuration ` +
        `(connector.client.config.override.policy=${policy}` +
        (policy === 'Principal' ? `; it allows ${PRINCIPAL_KEYS.join(', ')}` : '') +
        ')',
    });
  }
  return out;
}
