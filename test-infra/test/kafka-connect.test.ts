import { describe, expect, it } from 'vitest';
import {
  connectorRunning,
  kafkaConnectProperties,
  mavenReason,
  toJavaProperties,
} from '../src/kafka-connect.js';

const base = {
  bootstrapServers: '127.0.0.1:9092',
  restPort: 28083,
  pluginPath: '/cache/kafka-connect/3.9.1/plugins',
  offsetsFile: '/tmp/run/connect.offsets',
};

describe('kafkaConnectProperties', () => {
  it('writes a standalone worker with JSON values without schemas, String keys and one task by default', () => {
    const files = kafkaConnectProperties({
      ...base,
      connector: { name: 'bench', 'connector.class': 'FileStreamSink', topics: 't', file: 'out.txt' },
    });
    expect(files.worker).toEqual({
      'bootstrap.servers': '127.0.0.1:9092',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'offset.flush.interval.ms': '10000',
      listeners: 'http://127.0.0.1:28083',
      'plugin.path': '/cache/kafka-connect/3.9.1/plugins',
      'offset.storage.file.filename': '/tmp/run/connect.offsets',
    });
    expect(files.connector).toEqual({
      'tasks.max': '1',
      name: 'bench',
      'connector.class': 'FileStreamSink',
      topics: 't',
      file: 'out.txt',
    });
  });

  it("lets the caller's worker keys and tasks.max win, but never its listener, plugin path or offsets file", () => {
    const files = kafkaConnectProperties({
      ...base,
      worker: {
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
        listeners: 'http://0.0.0.0:8083',
        'plugin.path': '/elsewhere',
      },
      connector: { name: 'c', 'connector.class': 'X', 'tasks.max': '4' },
    });
    expect(files.worker['value.converter']).toBe('org.apache.kafka.connect.storage.StringConverter');
    expect(files.worker['listeners']).toBe('http://127.0.0.1:28083');
    expect(files.worker['plugin.path']).toBe('/cache/kafka-connect/3.9.1/plugins');
    expect(files.connector['tasks.max']).toBe('4');
  });

  it('rejects a connector without a name or class', () => {
    expect(() => kafkaConnectProperties({ ...base, connector: { name: 'c' } })).toThrow(/connector\.class/);
  });
});

describe('toJavaProperties', () => {
  it('escapes separators in keys and backslashes and newlines in values', () => {
    expect(toJavaProperties({ 'a b': 'x\\y', 'k=v': 'line1\nline2', plain: 'tcp://h:1' })).toBe(
      'a\\ b=x\\\\y\nk\\=v=line1\\nline2\nplain=tcp://h:1\n',
    );
  });
});

describe('connectorRunning', () => {
  it('is true only when the connector and every task run', () => {
    expect(
      connectorRunning('c', { connector: { state: 'RUNNING' }, tasks: [{ id: 0, state: 'RUNNING' }] }),
    ).toBe(true);
    expect(connectorRunning('c', { connector: { state: 'RUNNING' }, tasks: [] })).toBe(false);
    expect(
      connectorRunning('c', { connector: { state: 'UNASSIGNED' }, tasks: [{ id: 0, state: 'RUNNING' }] }),
    ).toBe(false);
  });

  it('throws with the trace when a task FAILED', () => {
    expect(() =>
      connectorRunning('c', {
        connector: { state: 'RUNNING' },
        tasks: [{ id: 0, state: 'FAILED', trace: 'org.bson.BsonInvalidOperationException: boom' }],
      }),
    ).toThrow(/connector c FAILED: org\.bson\.BsonInvalidOperationException: boom/);
  });
});

describe('mavenReason', () => {
  it('keeps the phrase that says which artifact was not found', () => {
    const error = new Error(
      '`mvn …` failed (exit 1); its last output:\n[ERROR] Failed to execute goal …: Unable to find/resolve artifact. org.apache.camel.kafkaconnector:camel-mqtt5-sink-kafka-connector:tar.gz:package:4.14.0 was not found in https://mirror.example/maven2 during a previous attempt.',
    );
    expect(mavenReason(error)).toBe(
      'org.apache.camel.kafkaconnector:camel-mqtt5-sink-kafka-connector:tar.gz:package:4.14.0 was not found on Maven Central as reachable from this machine',
    );
  });
});
