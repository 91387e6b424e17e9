import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { InfluxSinkConfig } from '../src/config.js';
import { InfluxConnection, type PointOp } from '../src/connection.js';
import { InfluxLineWriter } from '../src/writer.js';
import { record } from './records.js';

// The writer against a fake InfluxDB HTTP API (unit test: the real server is in test/integration).

interface Request {
  url: string;
  headers: IncomingMessage['headers'];
  lines: string[];
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function fakeInflux(
  answer: (req: Request, res: ServerResponse) => void,
): Promise<{ url: string; requests: Request[] }> {
  const requests: Request[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const r = { url: req.url!, headers: req.headers, lines: body.toString().split('\n') };
      requests.push(r);
      answer(r, res);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, requests };
}

function config(url: string, target: Partial<InfluxSinkConfig['target']> = {}): InfluxSinkConfig {
  return {
    url,
    target: {
      api: 'v1',
      database: 'db',
      retentionPolicy: 'autogen',
      username: 'user',
      password: 'pw',
      consistency: 'QUORUM',
      ...target,
    } as InfluxSinkConfig['target'],
    batchPoints: 100,
    batchBytes: 1_000_000,
    maxInFlight: 2,
    gzipThreshold: 10,
    requestTimeoutMs: 2000,
    schemalessFloats: false,
  };
}

const json = (res: ServerResponse, status: number, error: string) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error }));
};

describe('InfluxLineWriter', () => {
  it('1.x: POST /write with db, rp, precision, consistency, basic auth and gzip', async () => {
    const fake = await fakeInflux((_r, res) => res.writeHead(204).end());
    await new InfluxLineWriter(config(fake.url)).write({
      precision: 'us',
      lines: ['m v=1i 1', 'm v=2i 2'],
      items: [0, 1],
    });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.url).toBe('/write?db=db&rp=autogen&precision=u&consistency=quorum');
    expect(fake.requests[0]!.headers['authorization']).toBe(
      `Basic ${Buffer.from('user:pw').toString('base64')}`,
    );
    expect(fake.requests[0]!.headers['content-encoding']).toBe('gzip');
    expect(fake.requests[0]!.lines).toEqual(['m v=1i 1', 'm v=2i 2']);
  });

  it('2.x: POST /api/v2/write with org, bucket and the token', async () => {
    const fake = await fakeInflux((_r, res) => res.writeHead(204).end());
    await new InfluxLineWriter(
      config(fake.url, { api: 'v2', org: 'o', bucket: 'b', token: 'tok' } as never),
    ).write({ precision: 'ns', lines: ['m v=1'], items: [0] });
    expect(fake.requests[0]!.url).toBe('/api/v2/write?org=o&bucket=b&precision=ns');
    expect(fake.requests[0]!.headers['authorization']).toBe('Token tok');
  });

  it('a 400 is narrowed down by halves to exactly the refused lines', async () => {
    const fake = await fakeInflux((r, res) => {
      const bad = r.lines.filter((l) => l.includes('bad'));
      if (bad.length > 0)
        json(
          res,
          400,
          `partial write: field type conflict: input field "v" on measurement "m" dropped=${bad.length}`,
        );
      else res.writeHead(204).end();
    });
    const lines = ['m v=1i 1', 'm v=bad 2', 'm v=3i 3', 'm v=4i 4', 'm v=bad 5'];
    const refused = await new InfluxLineWriter(config(fake.url)).write({
      precision: 'ms',
      lines,
      items: [0, 1, 2, 3, 4],
    });
    expect(refused.map((r) => r.item)).toEqual([1, 4]);
    expect(refused[0]!.reason).toMatch(/refused the points: partial write: field type conflict/);
  });

  it.each([
    [401, 'fatal'],
    [403, 'fatal'],
    [404, 'fatal'],
    [429, 'transient'],
    [503, 'transient'],
  ])('HTTP %i is %s for the whole request', async (status, kind) => {
    const fake = await fakeInflux((_r, res) => json(res, status, 'nope'));
    await expect(
      new InfluxLineWriter(config(fake.url)).write({ precision: 'ms', lines: ['m v=1i 1'], items: [0] }),
    ).rejects.toMatchObject({ kind });
  });

  it('messages never show credentials of the URL', () => {
    const writer = new InfluxLineWriter(config('http://admin:secret@influx:8086'));
    expect(writer.describeTarget()).toBe('http://influx:8086 database db (retention policy autogen)');
  });

  it('a server that cannot be reached is transient', async () => {
    await expect(
      new InfluxLineWriter(config('http://127.0.0.1:1')).write({
        precision: 'ms',
        lines: ['m v=1i 1'],
        items: [0],
      }),
    ).rejects.toMatchObject({
      kind: 'transient',
      message: expect.stringMatching(/cannot be reached/),
    });
  });
});

describe('InfluxConnection', () => {
  const op = (line: string, identity = line): PointOp => ({
    record: record({ line }),
    line,
    precision: 'ms',
    identity,
  });

  it('sends a batch within batch.points and batch.bytes as one request', async () => {
    const fake = await fakeInflux((_r, res) => res.writeHead(204).end());
    const ops = ['m v=1i 1', 'm v=2i 2', 'm v=3i 3'].map((l) => op(l));
    expect(await new InfluxConnection(config(fake.url)).write(ops)).toEqual([]);
    expect(fake.requests.map((r) => r.lines)).toEqual([['m v=1i 1', 'm v=2i 2', 'm v=3i 3']]);
  });

  it('cuts a batch whose UTF-8 body is over batch.bytes, though its characters are not', async () => {
    const fake = await fakeInflux((_r, res) => res.writeHead(204).end());
    // 1,024 characters of 3 bytes each: two such lines are over 4,096 bytes, not over 4,096 characters.
    const wide = (n: number) => `m s="${'€'.repeat(1024)}" ${n}`;
    const ops = [op(wide(1)), op(wide(2))];
    const connection = new InfluxConnection({ ...config(fake.url), batchBytes: 4096 });
    expect(await connection.write(ops)).toEqual([]);
    expect(fake.requests.map((r) => r.lines.length)).toEqual([1, 1]);
  });

  it('sends the body uncompressed when gzip is off (the default, -1)', async () => {
    const fake = await fakeInflux((_r, res) => res.writeHead(204).end());
    await new InfluxConnection({ ...config(fake.url), gzipThreshold: undefined }).write([
      op(`m s="${'x'.repeat(2000)}" 1`),
    ]);
    expect(fake.requests[0]!.headers['content-encoding']).toBeUndefined();
    expect(fake.requests[0]!.lines[0]).toHaveLength(2000 + 'm s="" 1'.length);
  });
});
