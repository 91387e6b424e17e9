import type { Converter, HeaderConverter } from '../convert/api.js';
import { ConfigException } from '../errors.js';
import { stripPrefix, type WorkerConfig } from './worker-config.js';

// Which converters a connector's tasks use. As in Kafka Connect, a connector that names its own
// `key.converter` (or value/header) gets that class with the connector's `key.converter.*` settings;
// otherwise the worker's class with the worker's settings. `converter.type` is injected (key, value
// or header), as Kafka Connect's ConverterConfig expects.

/** Makes a converter instance from a class name (or alias) for one side; throws when the class is unknown. */
export type ConverterFactory = (
  className: string,
  kind: ConverterKind,
) => Converter | HeaderConverter | Promise<Converter | HeaderConverter>;

export type ConverterKind = 'key' | 'value' | 'header';

export interface ConverterSettings {
  className: string;
  config: Record<string, string>;
  /** Where the class came from, for error messages. */
  from: 'connector' | 'worker';
}

export interface ConnectorConverters {
  key: Converter;
  value: Converter;
  header: HeaderConverter;
}

export function converterSettings(
  worker: WorkerConfig,
  connectorConfig: Record<string, string>,
  kind: ConverterKind,
): ConverterSettings {
  const key = `${kind}.converter`;
  const own = connectorConfig[key]?.trim();
  const workerClass =
    kind === 'key'
      ? worker.keyConverterClass
      : kind === 'value'
        ? worker.valueConverterClass
        : worker.headerConverterClass;
  const fromConnector = own !== undefined && own !== '';
  const config = fromConnector ? stripPrefix(connectorConfig, `${key}.`) : worker.withPrefix(`${key}.`);
  return {
    className: fromConnector ? own : workerClass,
    config: { ...config, 'converter.type': kind },
    from: fromConnector ? 'connector' : 'worker',
  };
}

/** Creates and configures the three converters of one task. Errors name the key to fix. */
export async function createConnectorConverters(
  factory: ConverterFactory,
  worker: WorkerConfig,
  connectorConfig: Record<string, string>,
): Promise<ConnectorConverters> {
  const key = (await configured(
    factory,
    converterSettings(worker, connectorConfig, 'key'),
    'key',
  )) as Converter;
  const value = (await configured(
    factory,
    converterSettings(worker, connectorConfig, 'value'),
    'value',
  )) as Converter;
  const header = (await configured(
    factory,
    converterSettings(worker, connectorConfig, 'header'),
    'header',
  )) as HeaderConverter;
  return { key, value, header };
}

/** Instantiates and configures one converter; throws ConfigException naming `<kind>.converter`. */
export async function configured(
  factory: ConverterFactory,
  settings: ConverterSettings,
  kind: ConverterKind,
): Promise<Converter | HeaderConverter> {
  const keyName = `${kind}.converter`;
  let instance: Converter | HeaderConverter;
  try {
    instance = await factory(settings.className, kind);
  } catch (e) {
    if (e instanceof ConfigException) throw e;
    throw new ConfigException(keyName, `${(e as Error).message} (set in the ${settings.from} config)`);
  }
  try {
    // configure() is declared void, but a plugin's may return a promise: wait for it before the first record.
    // eslint-disable-next-line @typescript-eslint/await-thenable
    if (kind === 'header') await (instance as HeaderConverter).configure(settings.config);
    else await (instance as Converter).configure(settings.config, kind === 'key');
  } catch (e) {
    throw new ConfigException(
      keyName,
      `${settings.className} rejected its ${keyName}.* settings: ${(e as Error).message}`,
    );
  }
  return instance;
}
