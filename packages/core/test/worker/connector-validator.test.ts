import { describe, expect, it } from 'vitest';
import { fileStreamSinkPlugin } from '../../src/connectors/file/index.js';
import { ConnectorValidator } from '../../src/worker/connector-validator.js';
import { PluginRegistry } from '../../src/worker/plugins.js';
import { WorkerConfig } from '../../src/worker/worker-config.js';
import { fakeConverters, testPlugin } from './fakes.js';

function validator(workerProps: Record<string, string> = {}) {
  const plugins = new PluginRegistry();
  plugins.register(fileStreamSinkPlugin);
  plugins.register(testPlugin);
  return new ConnectorValidator(plugins, new WorkerConfig(workerProps), fakeConverters);
}

const errorsOf = (infos: { configs: { value: { name: string; errors: string[] } }[] }) =>
  Object.fromEntries(
    infos.configs.filter((c) => c.value.errors.length > 0).map((c) => [c.value.name, c.value.errors]),
  );

describe('ConnectorValidator', () => {
  it('accepts a good file sink config with no errors and reports every key with its definition', async () => {
    const { infos } = await validator().validate({
      name: 'f',
      'connector.class': 'FileStreamSink',
      topics: 't',
      file: '/tmp/x',
    });
    expect(infos.error_count).toBe(0);
    expect(infos.name).toBe('FileStreamSink');
    expect(infos.groups).toEqual(['Common', 'Error Handling', 'File']);
    const topics = infos.configs.find((c) => c.value.name === 'topics')!;
    expect(topics.definition).toMatchObject({
      name: 'topics',
      type: 'LIST',
      required: false,
      default_value: '',
      group: 'Common',
      importance: 'HIGH',
    });
    expect(topics.value).toEqual({
      name: 'topics',
      value: 't',
      recommended_values: [],
      errors: [],
      visible: true,
    });
    const name = infos.configs.find((c) => c.value.name === 'name')!;
    expect(name.definition).toMatchObject({ required: true, default_value: null, order: 1 });
  });

  it('requires exactly one of topics and topics.regex', async () => {
    const neither = (await validator().validate({ name: 'f', 'connector.class': 'FileStreamSink' })).infos;
    expect(errorsOf(neither)).toEqual({
      topics: ['Must configure one of topics or topics.regex'],
      'topics.regex': ['Must configure one of topics or topics.regex'],
    });
    expect(neither.error_count).toBe(2);
    const both = (
      await validator().validate({
        name: 'f',
        'connector.class': 'FileStreamSink',
        topics: 'a',
        'topics.regex': 'a.*',
      })
    ).infos;
    expect(errorsOf(both).topics).toEqual([
      'topics and topics.regex are mutually exclusive options, but both are set.',
    ]);
  });

  it('rejects a DLQ topic the connector consumes, by list and by regex', async () => {
    const listed = (
      await validator().validate({
        name: 'f',
        'connector.class': 'FileStreamSink',
        topics: 'a,dlq',
        'errors.deadletterqueue.topic.name': 'dlq',
      })
    ).infos;
    expect(errorsOf(listed)['errors.deadletterqueue.topic.name']).toEqual([
      "The DLQ topic 'dlq' may not be included in the list of topics ('topics=a,dlq') consumed by the connector",
    ]);
    const matched = (
      await validator().validate({
        name: 'f',
        'connector.class': 'FileStreamSink',
        'topics.regex': 'd.*',
        'errors.deadletterqueue.topic.name': 'dlq',
      })
    ).infos;
    expect(errorsOf(matched)['errors.deadletterqueue.topic.name']).toEqual([
      "The DLQ topic 'dlq' may not be matched by the regex for the topics ('topics.regex=d.*') consumed by the connector",
    ]);
  });

  it('reports bad values per key: tasks.max, errors.tolerance, an invalid regex, a null value', async () => {
    const { infos } = await validator().validate({
      name: 'f',
      'connector.class': 'FileStreamSink',
      'tasks.max': '0',
      'errors.tolerance': 'some',
      'topics.regex': '(',
      file: null,
    });
    const errors = errorsOf(infos);
    expect(errors['tasks.max']).toEqual(['Value must be at least 1']);
    expect(errors['errors.tolerance']).toEqual(['String must be one of: none, all']);
    expect(errors['topics.regex']![0]).toMatch(/^Invalid regex/);
    expect(errors['file']).toEqual(['Null value can not be supplied as the configuration value.']);
    expect(infos.error_count).toBe(4);
  });

  it('adds the plugin keys, runs plugin.validate and masks secrets', async () => {
    const { infos } = await validator().validate({
      name: 't',
      'connector.class': 'TestSink',
      topics: 'a',
      'test.password': 's3cret',
      'test.mode': 'bad',
    });
    expect(errorsOf(infos)).toEqual({ 'test.mode': ['test.mode must not be bad'] });
    const password = infos.configs.find((c) => c.value.name === 'test.password')!;
    expect(password.value.value).toBe('[hidden]');
    expect(password.definition!.type).toBe('PASSWORD');
    expect(JSON.stringify(infos)).not.toContain('s3cret');
    expect(infos.configs.find((c) => c.value.name === 'test.mode')!.value.recommended_values).toEqual([
      'a',
      'b',
    ]);
  });

  it('checks connector-level converters: unknown class and rejected settings', async () => {
    const { infos } = await validator().validate({
      name: 'f',
      'connector.class': 'FileStreamSink',
      topics: 'a',
      'key.converter': 'com.nope.MissingConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.fail': 'true',
    });
    const errors = errorsOf(infos);
    expect(errors['key.converter']![0]).toMatch(/Class com\.nope\.MissingConverter could not be found/);
    expect(errors['value.converter']![0]).toMatch(
      /rejected its value\.converter\.\* settings: misconfigured on purpose/,
    );
  });

  it('rejects a sink group that equals the worker group.id', async () => {
    const { infos } = await validator({ 'group.id': 'connect-f' }).validate({
      name: 'f',
      'connector.class': 'FileStreamSink',
      topics: 'a',
    });
    expect(errorsOf(infos).name![0]).toMatch(
      /Consumer group connect-f conflicts with Connect worker group connect-f/,
    );
  });

  it('refuses transforms rather than ignoring them', async () => {
    const { infos } = await validator().validate({
      name: 'f',
      'connector.class': 'FileStreamSink',
      topics: 'a',
      transforms: 'route',
    });
    expect(errorsOf(infos).transforms![0]).toMatch(/not supported by Sluice yet/);
  });

  it('fails with 400-style errors when connector.class is missing or unknown', async () => {
    await expect(validator().validate({ name: 'f', 'db.password': 'pw' })).rejects.toThrow(
      'Connector config {"name":"f","db.password":"[hidden]"} contains no connector type',
    );
    await expect(validator().validate({ name: 'f', 'connector.class': 'Nope' })).rejects.toThrow(
      /Failed to find any class/,
    );
  });

  it("assertValid lists every error in Kafka Connect's message format", async () => {
    await expect(
      validator().assertValid({
        name: 'f',
        'connector.class': 'FileStreamSink',
        'tasks.max': '0',
        topics: 'a',
      }),
    ).rejects.toThrow(
      'Connector configuration is invalid and contains the following 1 error(s):\nValue must be at least 1\n' +
        'You can also find the above list of errors at the endpoint `/connector-plugins/FileStreamSinkConnector/config/validate`',
    );
  });
});
