import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigException } from '../errors.js';
import { parseProperties } from '../worker/properties.js';

// Kafka's config providers (KIP-297, KIP-887): a config value `${file:/etc/secrets.properties:password}`
// names a secret kept outside the config. The worker declares its providers
// (`config.providers=file,env,dir`, `config.providers.file.class=…FileConfigProvider`, parameters under
// `config.providers.<name>.param.`); placeholders are resolved when a config is used (a task starts,
// the worker builds its clients), never where it is stored or shown: REST and logs keep the placeholder.

/** One provider: the values of `keys` under `path` (a file, a directory, or '' for the environment). */
export interface ConfigProvider {
  get(path: string, keys: readonly string[]): Record<string, string>;
}

type ProviderFactory = (params: Record<string, string>, name: string) => ConfigProvider;

const PACKAGE = 'org.apache.kafka.common.config.provider.';

/** `allowed.paths` (KIP-993): when set, only files under these directories may be read. */
function allowedPaths(params: Record<string, string>, name: string) {
  const raw = params['allowed.paths']?.trim();
  if (!raw) return (p: string) => p;
  const roots = raw.split(',').map((r) => path.resolve(r.trim()));
  return (p: string) => {
    const resolved = path.resolve(p);
    if (!roots.some((r) => resolved === r || resolved.startsWith(r + path.sep))) {
      throw new ConfigException(
        `config.providers.${name}.param.allowed.paths`,
        `${p} is outside the allowed paths ${roots.join(', ')}`,
      );
    }
    return resolved;
  };
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigException(
      undefined,
      `${what}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

/** `${file:<properties file>:<key>}`: a key of a Java properties file. */
const fileProvider: ProviderFactory = (params, name) => {
  const allowed = allowedPaths(params, name);
  return {
    get(file, keys) {
      const props = parseProperties(readText(allowed(file), `config provider ${name}`));
      return Object.fromEntries(keys.filter((k) => k in props).map((k) => [k, props[k]!]));
    },
  };
};

/** `${dir:<directory>:<file name>}`: a whole file of a directory (Kubernetes secrets mounted as files). */
const directoryProvider: ProviderFactory = (params, name) => {
  const allowed = allowedPaths(params, name);
  return {
    get(dir, keys) {
      const root = allowed(dir);
      const names = new Set(readdirSync(root));
      const out: Record<string, string> = {};
      for (const key of keys) {
        const file = path.join(root, key);
        if (names.has(key) && !key.includes('/') && statSync(file).isFile())
          out[key] = readText(file, `config provider ${name}`);
      }
      return out;
    },
  };
};

/** `${env::<VARIABLE>}` (empty path): an environment variable, within `allowlist.pattern` when set. */
const envProvider: ProviderFactory = (params, name) => {
  const pattern = params['allowlist.pattern'];
  const allow = pattern ? new RegExp(`^(?:${pattern})$`) : /.*/;
  return {
    get(pathPart, keys) {
      if (pathPart !== '') {
        throw new ConfigException(
          undefined,
          `config provider ${name} takes no path: use \${${name}::VARIABLE}`,
        );
      }
      const out: Record<string, string> = {};
      for (const key of keys) {
        const value = process.env[key];
        if (value !== undefined && allow.test(key)) out[key] = value;
      }
      return out;
    },
  };
};

const FACTORIES: Record<string, ProviderFactory> = {
  FileConfigProvider: fileProvider,
  DirectoryConfigProvider: directoryProvider,
  EnvVarConfigProvider: envProvider,
};

/** Kafka's class name or its short form (`FileConfigProvider`), or the provider's usual alias (`file`). */
function factoryFor(className: string, name: string): ProviderFactory {
  const short = className.trim().replace(PACKAGE, '');
  const factory = FACTORIES[short];
  if (!factory) {
    throw new ConfigException(
      `config.providers.${name}.class`,
      `'${className}' is not a known config provider; use ${Object.keys(FACTORIES)
        .map((c) => PACKAGE + c)
        .join(', ')}`,
    );
  }
  return factory;
}

// Kafka's placeholder grammar: ${provider:[path:]key}; the path may itself contain ':' only through
// the key's last segment, as in Kafka's ConfigTransformer pattern.
const PLACEHOLDER = /\$\{([^}]*?):(?:([^}]*?):)?([^}]*?)\}/g;

export class ConfigProviders {
  private constructor(private readonly providers: ReadonlyMap<string, ConfigProvider>) {}

  static readonly NONE = new ConfigProviders(new Map());

  /** The providers a worker config declares (`config.providers` and `config.providers.<name>.*`). */
  static fromWorkerProps(props: Record<string, string>): ConfigProviders {
    const names = (props['config.providers'] ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '');
    const providers = new Map<string, ConfigProvider>();
    for (const name of names) {
      const className = props[`config.providers.${name}.class`];
      if (!className) {
        throw new ConfigException(
          `config.providers.${name}.class`,
          `config.providers names '${name}', which needs its class (e.g. ${PACKAGE}FileConfigProvider)`,
        );
      }
      const prefix = `config.providers.${name}.param.`;
      const params = Object.fromEntries(
        Object.entries(props)
          .filter(([k]) => k.startsWith(prefix))
          .map(([k, v]) => [k.slice(prefix.length), v]),
      );
      providers.set(name, factoryFor(className, name)(params, name));
    }
    return new ConfigProviders(providers);
  }

  get isEmpty(): boolean {
    return this.providers.size === 0;
  }

  /**
   * `config` with every placeholder of a declared provider replaced by its value. A placeholder whose
   * provider has no such key is a ConfigException naming the config key (never the value); one whose
   * provider is not declared is left as it is, as Kafka does.
   */
  resolve(config: Record<string, string>): Record<string, string> {
    if (this.isEmpty) return config;
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
      out[key] = value.includes('${') ? this.resolveValue(key, value) : value;
    }
    return out;
  }

  private resolveValue(configKey: string, value: string): string {
    return value.replace(PLACEHOLDER, (whole, name: string, pathPart: string | undefined, key: string) => {
      const provider = this.providers.get(name);
      if (!provider) return whole;
      let found: Record<string, string>;
      try {
        found = provider.get(pathPart ?? '', [key]);
      } catch (e) {
        throw new ConfigException(configKey, `${whole}: ${(e as Error).message}`);
      }
      const resolved = found[key];
      if (resolved === undefined)
        throw new ConfigException(configKey, `${whole}: the config provider '${name}' has no '${key}' there`);
      return resolved;
    });
  }
}
