import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderValue } from '../../src/connectors/file/render.js';
import { FileStreamSinkTask } from '../../src/connectors/file/task.js';
import type { SinkRecord, SinkTaskContext } from '../../src/sink/api.js';

const context = {
  connectorName: 'f',
  taskId: 0,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
} as unknown as SinkTaskContext;
const record = (value: unknown, offset = 0): SinkRecord => ({
  topic: 't',
  kafkaPartition: 0,
  kafkaOffset: offset,
  keySchema: null,
  key: null,
  valueSchema: null,
  value,
  timestamp: null,
  timestampType: 'NoTimestampType',
  headers: [],
});

describe('renderValue (Java toString of Connect values)', () => {
  it('renders strings as is, null as null, numbers and booleans as text', () => {
    expect(renderValue('hello')).toBe('hello');
    expect(renderValue(null)).toBe('null');
    expect(renderValue(12n)).toBe('12');
    expect(renderValue(true)).toBe('true');
  });

  it('renders maps, plain objects and lists like Java collections', () => {
    expect(
      renderValue(
        new Map<string, unknown>([
          ['a', 1],
          ['b', [1, 2]],
        ]),
      ),
    ).toBe('{a=1, b=[1, 2]}');
    expect(renderValue({ id: 1, name: 'x' })).toBe('{id=1, name=x}');
  });

  it('renders a Struct as Struct{field=value,...} leaving out null fields', () => {
    const struct = {
      schema: { fields: () => [{ name: 'id' }, { name: 'missing' }, { name: 'name' }] },
      get: (f: string) => ({ id: 7, missing: null, name: 'x' })[f],
    };
    expect(renderValue(struct)).toBe('Struct{id=7,name=x}');
  });

  it('renders bytes as base64 and values with their own toString (decimals) by it', () => {
    expect(renderValue(Buffer.from('hi'))).toBe('aGk=');
    expect(renderValue({ toString: () => '12.50' })).toBe('12.50');
  });
});

describe('FileStreamSinkTask', () => {
  it('appends one line per record, and the lines are in the file when put resolves', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'file-sink-')), 'out.txt');
    const task = new FileStreamSinkTask();
    await task.start({ file }, context);
    await task.put([record('a', 0), record(new Map([['k', 'v']]), 1)]);
    expect(readFileSync(file, 'utf8')).toBe('a\n{k=v}\n');
    await task.put([]);
    await task.put([record(null, 2)]);
    await task.flush();
    await task.stop();
    expect(readFileSync(file, 'utf8')).toBe('a\n{k=v}\nnull\n');
    const again = new FileStreamSinkTask();
    await again.start({ file }, context);
    await again.put([record('b', 3)]);
    await again.stop();
    expect(readFileSync(file, 'utf8')).toBe('a\n{k=v}\nnull\nb\n');
  });

  it('creates the folders the file is in', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'file-sink-')), 'a', 'b', 'out.txt');
    const task = new FileStreamSinkTask();
    await task.start({ file }, context);
    await task.put([record('x', 0)]);
    await task.stop();
    expect(readFileSync(file, 'utf8')).toBe('x\n');
  });

  it('fails to start with the file and connector named when the file cannot be created', async () => {
    // A folder cannot be made below a regular file, whoever runs the test.
    const blocker = path.join(mkdtempSync(path.join(tmpdir(), 'file-sink-')), 'plain-file');
    writeFileSync(blocker, '');
    const file = path.join(blocker, 'x', 'out.txt');
    const task = new FileStreamSinkTask();
    await expect(task.start({ file }, context)).rejects.toThrow(
      `Couldn't find or create file '${file}' for FileStreamSinkTask of connector f`,
    );
  });
});
