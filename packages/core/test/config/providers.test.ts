import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskSecrets } from '../../src/config/def.js';
import { ConfigProviders } from '../../src/config/providers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sluice-providers-'));
const secrets = path.join(dir, 'secrets.properties');
writeFileSync(secrets, 'db.password=s3cret\njaas=org.Foo required username="u" password="p";\n');
const secretsDir = path.join(dir, 'mounted');
mkdirSync(secretsDir);
writeFileSync(path.join(secretsDir, 'token'), 'tok-123');

const FILE = 'org.apache.kafka.common.config.provider.FileConfigProvider';

describe('config providers (KIP-297)', () => {
  it('resolves ${file:path:key} from a properties file, leaving other values alone', () => {
    const providers = ConfigProviders.fromWorkerProps({
      'config.providers': 'file',
      'config.providers.file.class': FILE,
    });
    expect(
      providers.resolve({
        'connect.mongo.password': `\${file:${secrets}:db.password}`,
        'sasl.jaas.config': `\${file:${secrets}:jaas}`,
        topics: 'orders',
      }),
    ).toEqual({
      'connect.mongo.password': 's3cret',
      'sasl.jaas.config': 'org.Foo required username="u" password="p";',
      topics: 'orders',
    });
  });

  it('accepts the short class names, and reads directories and environment variables', () => {
    process.env['SLUICE_PROVIDER_TEST'] = 'from-env';
    const providers = ConfigProviders.fromWorkerProps({
      'config.providers': 'dir, env',
      'config.providers.dir.class': 'DirectoryConfigProvider',
      'config.providers.env.class': 'org.apache.kafka.common.config.provider.EnvVarConfigProvider',
    });
    expect(
      providers.resolve({
        a: `\${dir:${secretsDir}:token}`,
        b: 'pre-${env::SLUICE_PROVIDER_TEST}-post',
      }),
    ).toEqual({ a: 'tok-123', b: 'pre-from-env-post' });
  });

  it('leaves placeholders of undeclared providers as they are, as Kafka does', () => {
    const providers = ConfigProviders.fromWorkerProps({
      'config.providers': 'file',
      'config.providers.file.class': FILE,
    });
    expect(providers.resolve({ x: '${vault:secret/db:password}' })).toEqual({
      x: '${vault:secret/db:password}',
    });
  });

  it('a missing key or file is an error naming the config key, never a value', () => {
    const providers = ConfigProviders.fromWorkerProps({
      'config.providers': 'file',
      'config.providers.file.class': FILE,
    });
    expect(() => providers.resolve({ 'db.pw': `\${file:${secrets}:nope}` })).toThrow(/db\.pw.*has no 'nope'/);
    expect(() => providers.resolve({ 'db.pw': `\${file:${dir}/absent.properties:k}` })).toThrow(
      /db\.pw.*cannot read/,
    );
    try {
      providers.resolve({ 'db.pw': `\${file:${secrets}:nope}` });
    } catch (e) {
      expect((e as Error).message).not.toContain('s3cret');
    }
  });

  it('enforces allowed.paths and the env allowlist', () => {
    const providers = ConfigProviders.fromWorkerProps({
      'config.providers': 'file,env',
      'config.providers.file.class': FILE,
      'config.providers.file.param.allowed.paths': secretsDir,
      'config.providers.env.class': 'EnvVarConfigProvider',
      'config.providers.env.param.allowlist.pattern': 'SLUICE_OK_.*',
    });
    expect(() => providers.resolve({ k: `\${file:${secrets}:db.password}` })).toThrow(/allowed paths/);
    process.env['SLUICE_NOT_OK'] = 'x';
    expect(() => providers.resolve({ k: '${env::SLUICE_NOT_OK}' })).toThrow(/has no 'SLUICE_NOT_OK'/);
  });

  it('refuses an unknown provider class and a provider without its class', () => {
    expect(() =>
      ConfigProviders.fromWorkerProps({ 'config.providers': 'v', 'config.providers.v.class': 'com.x.Vault' }),
    ).toThrow(/config.providers.v.class/);
    expect(() => ConfigProviders.fromWorkerProps({ 'config.providers': 'file' })).toThrow(
      /config.providers.file.class/,
    );
  });
});

describe('masking secrets for REST and logs', () => {
  it('shows a placeholder as it is (it names where the secret is), hides a literal secret', () => {
    expect(
      maskSecrets({
        'connect.mongo.password': '${file:/etc/secrets.properties:mongo.password}',
        'sasl.jaas.config': 'x required username="u" password="p";',
        'ssl.keystore.password': 'literal',
      }),
    ).toEqual({
      'connect.mongo.password': '${file:/etc/secrets.properties:mongo.password}',
      'sasl.jaas.config': '[hidden]',
      'ssl.keystore.password': '[hidden]',
    });
  });
});
