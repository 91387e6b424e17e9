import { randomUUID } from 'node:crypto';
import { InfluxDB, Point } from '@influxdata/influxdb-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '../../src/index.js';

describe('influxdb service', () => {
  let url: string;
  const database = `smoke_${randomUUID().replaceAll('-', '')}`;

  // InfluxDB 1.8 has no bucket API: a database is created with InfluxQL, a v2 bucket is "<db>/<rp>".
  async function influxql(q: string): Promise<unknown> {
    const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q }) });
    expect(res.status).toBe(200);
    return res.json();
  }

  beforeAll(async () => {
    const { influxdb } = await ensureServices(['influxdb']);
    url = influxdb.url as string;
    await influxql(`CREATE DATABASE ${database}`);
  });

  afterAll(async () => {
    if (url) await influxql(`DROP DATABASE ${database}`);
  });

  it('accepts a point through the v2 write API and returns it through Flux', async () => {
    // 1.8 ignores the org and accepts any token while authentication is off.
    const influx = new InfluxDB({ url, token: 'unused' });
    const at = new Date(Date.now() - 60_000);
    const writer = influx.getWriteApi('unused', `${database}/autogen`, 'ms');
    writer.writePoint(new Point('readings').tag('sensor', 's1').floatField('value', 21.5).timestamp(at));
    await writer.close();

    const rows = await influx
      .getQueryApi('unused')
      .collectRows<{ _measurement: string; sensor: string; _field: string; _value: number; _time: string }>(
        `from(bucket: "${database}/autogen") |> range(start: -1h)`,
      );
    expect(rows.map((r) => [r._measurement, r.sensor, r._field, r._value, Date.parse(r._time)])).toEqual([
      ['readings', 's1', 'value', 21.5, at.getTime()],
    ]);
  });
});
