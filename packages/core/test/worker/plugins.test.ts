import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileStreamSinkPlugin } from '../../src/connectors/file/index.js';
import { PluginRegistry, PluginVersionError, shortName } from '../../src/worker/plugins.js';
import { SLUICE_VERSION } from '../../src/worker/version.js';
import { testPlugin } from './fakes.js';

function registry() {
  const r = new PluginRegistry();
  r.register(fileStreamSinkPlugin);
  r.register(testPlugin);
  return r;
}

describe('PluginRegistry.resolve (connector.class)', () => {
  it.each([
    'org.apache.kafka.connect.file.FileStreamSinkConnector',
    'FileStreamSinkConnector',
    'FileStreamSink',
    '@sluice/core/file-sink',
  ])('finds the file sink by %s', (name) => {
    expect(registry().resolve(name)).toBe(fileStreamSinkPlugin);
  });

  it.each(['@sluice/sink-test', 'com.example.stream.TestSinkConnector', 'TestSinkConnector', 'TestSink'])(
    'finds an installed plugin by %s',
    (name) => {
      expect(registry().resolve(name)).toBe(testPlugin);
    },
  );

  it('says what is available and how to install when nothing matches', () => {
    expect(() => registry().resolve('MongoSinkConnector')).toThrow(
      /matches MongoSinkConnector\. Available connectors: org\.apache\.kafka\.connect\.file\.FileStreamSinkConnector, com\.example\.stream\.TestSinkConnector\. Install/,
    );
  });

  it('refuses an ambiguous short name', () => {
    const r = registry();
    r.register({ ...testPlugin, name: '@sluice/sink-other', aliases: ['org.other.TestSinkConnector'] });
    expect(() => r.resolve('TestSink')).toThrow(/More than one connector matches alias TestSink/);
    expect(r.resolve('org.other.TestSinkConnector').name).toBe('@sluice/sink-other');
  });

  it('applies the Connector-suffix rule only to a suffix', () => {
    expect(shortName('MongoSinkConnector')).toBe('MongoSink');
    expect(shortName('Connector')).toBe('Connector');
    expect(shortName('Plain')).toBe('Plain');
  });
});

describe('PluginRegistry.discover', () => {
  function writePlugin(dir: string, exportStyle: 'default' | 'named' | 'none', coreRange?: string) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({
        name: path.basename(dir),
        type: 'module',
        exports: { '.': { import: './main.js' } },
        ...(coreRange ? { peerDependencies: { '@sluice/core': coreRange } } : {}),
      }),
    );
    const body = `{ name: '${path.basename(dir)}', version: '1.2.3', className: 'XSinkConnector', aliases: ['x.y.${path.basename(dir)}.XSinkConnector'], type: 'sink', configDef: null, createTask() { return {}; } }`;
    const src =
      exportStyle === 'default'
        ? `export default ${body};`
        : exportStyle === 'named'
          ? `export const plugin = ${body};`
          : 'export const nothing = 1;';
    writeFileSync(path.join(dir, 'main.js'), src);
  }

  it('loads packages from plugin.path (package dirs and scoped folders), by default or `plugin` export', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'sluice-plugins-'));
    writePlugin(path.join(root, 'lib', 'sink-a'), 'default');
    writePlugin(path.join(root, 'lib', '@acme', 'sink-b'), 'named');
    writePlugin(path.join(root, 'lib', 'not-a-plugin'), 'none');
    writePlugin(path.join(root, 'direct'), 'default');
    const r = new PluginRegistry();
    await r.discover({
      pluginPath: [path.join(root, 'lib'), path.join(root, 'direct')],
      fromDir: root,
      installed: false,
    });
    const names = r
      .list()
      .map((p) => p.plugin.name)
      .sort();
    expect(names).toEqual(['direct', 'sink-a', 'sink-b']);
    expect(r.resolve('x.y.sink-b.XSinkConnector').version).toBe('1.2.3');
  });

  it('reports a package that fails to load and goes on', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'sluice-plugins-'));
    const bad = path.join(root, 'bad');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'package.json'), '{"name":"bad","main":"main.js"}');
    writeFileSync(path.join(bad, 'main.js'), 'throw new Error("boom")');
    writePlugin(path.join(root, 'good'), 'default');
    const errors: string[] = [];
    const r = new PluginRegistry();
    await r.discover({
      pluginPath: [root],
      fromDir: root,
      installed: false,
      onError: (dir, e) => errors.push(`${path.basename(dir)}: ${e.message}`),
    });
    expect(r.list().map((p) => p.plugin.name)).toEqual(['good']);
    expect(errors).toEqual(['bad: boom']);
  });

  it('refuses a package made for another core, naming both versions, and loads one whose range fits', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'sluice-plugins-'));
    writePlugin(path.join(root, 'sink-old'), 'default', '^99.0.0');
    writePlugin(path.join(root, 'sink-fits'), 'default', `^${SLUICE_VERSION}`);
    const errors: Error[] = [];
    const r = new PluginRegistry();
    await r.discover({
      pluginPath: [root],
      fromDir: root,
      installed: false,
      onError: (_dir, e) => errors.push(e),
    });
    expect(r.list().map((p) => p.plugin.name)).toEqual(['sink-fits']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(PluginVersionError);
    const expected = `sink-old 1.2.3 (in ${path.join(root, 'sink-old')}) needs @sluice/core ^99.0.0, but this worker runs @sluice/core ${SLUICE_VERSION}`;
    expect(errors[0]!.message).toContain(expected);
    expect(errors[0]!.stack).not.toMatch(/\n\s+at /);
    // A connector that names it is told why it is not there.
    expect(() => r.resolve('x.y.sink-old.XSinkConnector')).toThrow(expected);
  });
});
