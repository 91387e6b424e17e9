import { ConfigException, maskSecrets } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { RECONNECT_BASE_MS, mqttClientOptions } from '../src/client.js';
import { configDef, mqttSinkConfig, parseHosts } from '../src/config.js';
import plugin, { mqttTaskConfigs } from '../src/index.js';
import { route } from './records.js';

const base = {
  name: 'mqtt-sink',
  topics: 'orders',
  'connect.mqtt.hosts': 'tcp://127.0.0.1:1883',
  'connect.mqtt.service.quality': '1',
  'connect.mqtt.kcql': 'INSERT INTO /lenses/orders SELECT * FROM orders',
};

const config = (extra: Record<string, string> = {}) => mqttSinkConfig(configDef.parse({ ...base, ...extra }));

describe('configuration', () => {
  it("has Stream Reactor's keys and defaults", () => {
    const c = config();
    expect(c).toMatchObject({
      qos: 1,
      retained: false,
      timeoutMs: 3000,
      clean: true,
      keepAliveMs: 5000,
      clientId: '',
      protocolVersion: '3.1.1',
      tombstoneClearsRetained: false,
    });
    const keys = [...plugin.configDef.configKeys().keys()];
    for (const key of [
      'connect.mqtt.hosts',
      'connect.mqtt.username',
      'connect.mqtt.password',
      'connect.mqtt.client.id',
      'connect.mqtt.service.quality',
      'connect.mqtt.retained.messages',
      'connect.mqtt.timeout',
      'connect.mqtt.clean',
      'connect.mqtt.keep.alive',
      'connect.mqtt.ssl.ca.cert',
      'connect.mqtt.ssl.cert',
      'connect.mqtt.ssl.key',
      'connect.mqtt.kcql',
      'connect.mqtt.error.policy',
      'connect.mqtt.max.retries',
      'connect.mqtt.retry.interval',
      'connect.progress.enabled',
    ])
      expect(keys).toContain(key);
  });

  it('requires hosts and the quality of service, and QoS must be 0, 1 or 2', () => {
    const { ['connect.mqtt.service.quality']: _qos, ...noQos } = base;
    expect(() => configDef.parse(noQos)).toThrow(
      /connect\.mqtt\.service\.quality.*Missing required configuration/,
    );
    expect(() => config({ 'connect.mqtt.service.quality': '3' })).toThrow(
      /connect\.mqtt\.service\.quality: the MQTT quality of service must be 0, 1 or 2/,
    );
  });

  it('parses broker URIs in Paho (tcp://, ssl://) and mqtt.js forms, with default ports', () => {
    expect(parseHosts('tcp://a:1884, ssl://b, mqtt://c, mqtts://d:9999, ws://e/mqtt')).toEqual([
      { protocol: 'mqtt', host: 'a', port: 1884, path: '/' },
      { protocol: 'mqtts', host: 'b', port: 8883, path: '/' },
      { protocol: 'mqtt', host: 'c', port: 1883, path: '/' },
      { protocol: 'mqtts', host: 'd', port: 9999, path: '/' },
      { protocol: 'ws', host: 'e', port: 80, path: '/mqtt' },
    ]);
    expect(() => config({ 'connect.mqtt.hosts': 'http://a:1883' })).toThrow(
      /connect\.mqtt\.hosts: 'http:\/\/a:1883': use tcp:\/\//,
    );
    expect(() => config({ 'connect.mqtt.hosts': 'localhost' })).toThrow(/'localhost' is not a URI/);
  });

  it('needs the client certificate and key together', () => {
    expect(() => config({ 'connect.mqtt.ssl.cert': '/tmp/c.pem' })).toThrow(ConfigException);
    expect(() => config({ 'connect.mqtt.ssl.cert': '/tmp/c.pem' })).toThrow(/ssl\.key: .*go together/);
  });

  it('masks the password in REST output and logs', () => {
    const masked = maskSecrets({ ...base, 'connect.mqtt.password': 's3cret' }, configDef);
    expect(masked['connect.mqtt.password']).not.toContain('s3cret');
    expect(configDef.isSecret('connect.mqtt.password')).toBe(true);
  });
});

describe('mqtt.js client options', () => {
  it('maps the keys: milliseconds to whole keep-alive seconds, failover servers, MQTT 3.1.1 by default', () => {
    const o = mqttClientOptions(
      config({
        'connect.mqtt.hosts': 'tcp://a:1883,ssl://b:8883',
        'connect.mqtt.keep.alive': '1500',
        'connect.mqtt.timeout': '1000',
        'connect.mqtt.username': 'u',
        'connect.mqtt.password': 'p',
        'connect.mqtt.clean': 'false',
      }),
      'client-1',
    );
    expect(o).toMatchObject({
      servers: [
        { host: 'a', port: 1883, protocol: 'mqtt' },
        { host: 'b', port: 8883, protocol: 'mqtts' },
      ],
      clientId: 'client-1',
      clean: false,
      connectTimeout: 1000,
      keepalive: 2,
      reconnectPeriod: RECONNECT_BASE_MS,
      protocolVersion: 4,
      username: 'u',
      password: 'p',
    });
    expect(o.properties).toBeUndefined();
  });

  it('MQTT 5 with a persistent session asks the broker to keep it', () => {
    const o = mqttClientOptions(
      config({ 'connect.mqtt.protocol.version': '5', 'connect.mqtt.clean': 'false' }),
      'client-1',
    );
    expect(o.protocolVersion).toBe(5);
    expect(o.properties).toEqual({ sessionExpiryInterval: 0xffffffff });
  });

  it('names the key of a TLS file it cannot read', () => {
    expect(() =>
      mqttClientOptions(config({ 'connect.mqtt.ssl.ca.cert': '/nonexistent/ca.pem' }), 'c'),
    ).toThrow(/connect\.mqtt\.ssl\.ca\.cert: cannot read \/nonexistent\/ca\.pem/);
  });
});

describe('tasks', () => {
  it("suffix a configured client id with the task number when there are several (Stream Reactor's rule)", () => {
    const withId = { ...base, 'connect.mqtt.client.id': 'dm_sink_id' };
    expect(mqttTaskConfigs(withId, 1).map((c) => c['connect.mqtt.client.id'])).toEqual(['dm_sink_id']);
    expect(mqttTaskConfigs(withId, 3).map((c) => c['connect.mqtt.client.id'])).toEqual([
      'dm_sink_id-1',
      'dm_sink_id-2',
      'dm_sink_id-3',
    ]);
    expect(mqttTaskConfigs(base, 2).map((c) => c['connect.mqtt.client.id'])).toEqual([undefined, undefined]);
  });
});

describe('KCQL', () => {
  const kcql = (statement: string, topics = 'orders') =>
    plugin.compileConfig({ ...base, topics, 'connect.mqtt.kcql': statement });

  it('accepts both generations of Stream Reactor statements', () => {
    expect(() =>
      kcql(
        [
          'INSERT INTO /lenses/orders SELECT * FROM a',
          'INSERT INTO _key SELECT * FROM b',
          "INSERT INTO meta.routing.target SELECT * FROM c PROPERTIES('mqtt.target.from.field'='true')",
          'INSERT INTO `$field` SELECT * FROM d WITHTARGET = field',
          'INSERT INTO x SELECT a, b.c AS y FROM e IGNORE z WITHSTRUCTURE',
          'INSERT INTO x SELECT * FROM f WITHCONVERTER=`io.lenses.streamreactor.common.converters.sink.BytesConverter`',
        ].join(';'),
        'a,b,c,d,e,f',
      ),
    ).not.toThrow();
  });

  it('passes the value through for SELECT * alone, and projects otherwise', () => {
    expect(route('INSERT INTO x SELECT * FROM t').passThrough).toBe(true);
    expect(route('INSERT INTO x SELECT a FROM t').passThrough).toBe(false);
    expect(route('INSERT INTO x SELECT * FROM t IGNORE a').passThrough).toBe(false);
    expect(route('INSERT INTO x SELECT *, _key AS k FROM t').passThrough).toBe(false);
  });

  it.each([
    ['UPSERT INTO x SELECT * FROM orders PK id', /uses UPSERT, PK, which the MQTT sink does not support/],
    ['INSERT INTO x SELECT * FROM orders BATCH = 10', /uses BATCH, which the MQTT sink does not support/],
    [
      'INSERT INTO x SELECT * FROM orders WITHCONVERTER=`io.lenses.streamreactor.common.converters.sink.AvroConverter`',
      /WITHCONVERTER=`io\.lenses\.streamreactor\.common\.converters\.sink\.AvroConverter`, which the MQTT sink does not support.*ByteArrayConverter/,
    ],
    [
      'INSERT INTO x SELECT a FROM orders WITHCONVERTER=`com.datamountaineer.streamreactor.connect.converters.sink.BytesConverter`',
      /together with a select list/,
    ],
    [
      "INSERT INTO x SELECT * FROM orders PROPERTIES('mqtt.retain'='true')",
      /PROPERTIES key 'mqtt\.retain', which the MQTT sink does not know/,
    ],
    [
      "INSERT INTO x SELECT * FROM orders PROPERTIES('mqtt.target.from.field'='yes')",
      /use 'true' or 'false'/,
    ],
    ['INSERT INTO `$field` SELECT * FROM orders', /a target naming a field needs WITHTARGET = <field>/],
    [
      'INSERT INTO `a/#` SELECT * FROM orders',
      /not an MQTT topic a client may publish to: it contains a wildcard/,
    ],
    [
      "INSERT INTO f SELECT * FROM orders WITHTARGET = g PROPERTIES('mqtt.target.from.field'='true')",
      /has both WITHTARGET and PROPERTIES/,
    ],
  ])('rejects %s at start, saying why', (statement, message) => {
    expect(() => kcql(statement)).toThrow(message);
    expect(() => kcql(statement)).toThrow(/connect\.mqtt\.kcql: statement (1 )?\(FROM orders\)/);
  });

  it('requires the KCQL sources to be the connector topics', () => {
    expect(() => kcql('INSERT INTO x SELECT * FROM other')).toThrow(
      /topics without a KCQL statement: orders/,
    );
  });

  it('the plugin validates the same way, per key, for REST config/validate', () => {
    expect(plugin.validate!({ ...base })).toEqual({});
    const errors = plugin.validate!({
      ...base,
      'connect.mqtt.kcql': 'INSERT INTO x SELECT * FROM orders TTL = 5',
    });
    expect(errors['connect.mqtt.kcql']![0]).toMatch(/uses TTL, which the MQTT sink does not support/);
  });

  it('registers the Stream Reactor class names as aliases', () => {
    expect(plugin.className).toBe('MqttSinkConnector');
    expect(plugin.aliases).toEqual([
      'io.lenses.streamreactor.connect.mqtt.sink.MqttSinkConnector',
      'com.datamountaineer.streamreactor.connect.mqtt.sink.MqttSinkConnector',
    ]);
  });
});
