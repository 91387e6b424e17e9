import { describe, expect, it } from 'vitest';
import { fileStreamSinkPlugin } from '../../src/connectors/file/index.js';
import { ConnectorValidator } from '../../src/worker/connector-validator.js';
import { PluginRegistry } from '../../src/worker/plugins.js';
import { WorkerConfig } from '../../src/worker/worker-config.js';
import { fakeConverters } from './fakes.js';

// connector.client.config.override.policy at validate (the worker enforces it again at task start).

async function errors(policy: string, config: Record<string, string>) {
  const plugins = new PluginRegistry();
  plugins.register(fileStreamSinkPlugin);
  const validator = new ConnectorValidator(
    plugins,
    new WorkerConfig({ 'connector.client.config.override.policy': policy }),
    fakeConverters,
  );
  const { infos } = await validator.validate({
    name: 'f',
    'connector.class': 'FileStreamSink',
    topics: 't',
    file: '/tmp/x',
    ...config,
  });
  return Object.fromEntries(
    infos.configs.filter((c) => c.value.errors.length > 0).map((c) => [c.value.name, c.value.errors]),
  );
}

describe('connector.client.config.override.policy at validate', () => {
  const overrides = {
    'consumer.override.sasl.jaas.config': '${file:/etc/s.properties:jaas}',
    'consumer.override.max.poll.records': '10',
  };
  it('All (the default) accepts every override', async () => {
    expect(await errors('All', overrides)).toEqual({});
  });
  it('Principal accepts who the connector connects as, not the rest', async () => {
    expect(Object.keys(await errors('Principal', overrides))).toEqual(['consumer.override.max.poll.records']);
  });
  it('None refuses every override', async () => {
    expect(Object.keys(await errors('None', overrides)).sort()).toEqual([
      'consumer.override.max.poll.records',
      'consumer.override.sasl.jaas.config',
    ]);
  });
  it('an unknown policy is a worker config error', () => {
    expect(() => new WorkerConfig({ 'connector.client.config.override.policy': 'Some' })).toThrow(
      /connector.client.config.override.policy/,
    );
  });
});
