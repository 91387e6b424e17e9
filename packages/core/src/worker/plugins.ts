import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import semver from 'semver';
import type { SinkPlugin } from '../sink/api.js';
import { NotFoundException } from '../errors.js';
import { SLUICE_VERSION } from './version.js';

// Which sink plugins this worker can run, and how `connector.class` finds one. Kafka Connect accepts a
// connector's full class name, its simple class name, or the simple name without `Connector`
// (`FileStreamSink`); Sluice adds the npm package name. A plugin's `aliases` are full class names
// (Stream Reactor's), so each alias also contributes its own simple and short names.

export interface RegisteredPlugin {
  plugin: SinkPlugin;
  /** Where it came from: `builtin`, or the package directory it was loaded from. */
  location: string;
}

/**
 * A sink package built for another @sluice/core: its peer range does not include this core. Said in one
 * line (no stack: nothing in Sluice failed), naming both versions and what to install.
 */
export class PluginVersionError extends Error {
  constructor(
    readonly plugin: SinkPlugin,
    readonly coreRange: string,
    readonly dir: string,
  ) {
    super(
      `${plugin.name} ${plugin.version} (in ${dir}) needs @sluice/core ${coreRange}, but this worker runs @sluice/core ${SLUICE_VERSION}; ` +
        `install a version of ${plugin.name} made for @sluice/core ${SLUICE_VERSION}, or a @sluice/core in ${coreRange}`,
    );
    this.name = 'PluginVersionError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

export class PluginRegistry {
  private readonly plugins: RegisteredPlugin[] = [];
  /** Packages found but not loaded because they were made for another core. */
  private readonly refused: PluginVersionError[] = [];

  register(plugin: SinkPlugin, location = 'builtin'): void {
    // The first registration of a package wins, as a package found twice on the search path is the same plugin.
    if (this.plugins.some((p) => p.plugin.name === plugin.name)) return;
    this.plugins.push({ plugin, location });
  }

  list(): readonly RegisteredPlugin[] {
    return this.plugins;
  }

  /** Every name `connector.class` may use for this plugin, most specific first. */
  static namesOf(plugin: SinkPlugin): string[] {
    const names = new Set<string>([plugin.name, ...plugin.aliases]);
    for (const full of [plugin.className, ...plugin.aliases]) {
      const simple = simpleName(full);
      names.add(simple);
      names.add(shortName(simple));
    }
    return [...names];
  }

  /** The plugin for a `connector.class` value, or null. Throws when a short name is ambiguous. */
  find(connectorClass: string): SinkPlugin | null {
    const wanted = connectorClass.trim();
    const exact = this.plugins.filter(
      (p) => p.plugin.name === wanted || p.plugin.aliases.includes(wanted) || p.plugin.className === wanted,
    );
    if (exact.length > 0) return exact[0]!.plugin;
    const matches = this.plugins.filter((p) => PluginRegistry.namesOf(p.plugin).includes(wanted));
    if (matches.length > 1) {
      throw new NotFoundException(
        `More than one connector matches alias ${wanted}. Found: ${matches.map((m) => m.plugin.name).join(', ')}. ` +
          'Use the full class name or the npm package name in connector.class.',
      );
    }
    return matches[0]?.plugin ?? null;
  }

  resolve(connectorClass: string): SinkPlugin {
    const plugin = this.find(connectorClass);
    if (plugin) return plugin;
    const wrongCore = this.refused.find((r) =>
      PluginRegistry.namesOf(r.plugin).includes(connectorClass.trim()),
    );
    if (wrongCore) throw new NotFoundException(wrongCore.message);
    const known = this.plugins.map((p) => p.plugin.aliases[0] ?? p.plugin.name).join(', ');
    throw new NotFoundException(
      `Failed to find any class that implements Connector and which name matches ${connectorClass}. ` +
        `Available connectors: ${known || '(none)'}. Install the sink package (npm install @sluice/sink-<x>) ` +
        'or add its directory to plugin.path.',
    );
  }

  /**
   * Loads installed sink packages: `@sluice/sink-*` in every node_modules from `fromDir` upwards (and
   * beside this package), plus every directory in `plugin.path`. A directory in plugin.path may be a
   * package itself or hold packages (scoped folders included).
   */
  async discover(options: {
    pluginPath?: readonly string[];
    fromDir?: string;
    /** Scan node_modules for `@sluice/sink-*` (default true); false = plugin.path only. */
    installed?: boolean;
    onError?: (dir: string, e: Error) => void;
  }): Promise<void> {
    const dirs = new Set<string>();
    const starts =
      options.installed === false
        ? []
        : [options.fromDir ?? process.cwd(), path.dirname(fileURLToPath(import.meta.url))];
    for (const start of starts) {
      for (const nm of nodeModulesUpwards(start)) {
        for (const pkg of await listDirs(path.join(nm, '@sluice'))) {
          if (path.basename(pkg).startsWith('sink-')) dirs.add(pkg);
        }
      }
    }
    for (const entry of options.pluginPath ?? []) {
      const dir = path.resolve(entry);
      if (existsSync(path.join(dir, 'package.json'))) {
        dirs.add(dir);
        continue;
      }
      for (const child of await listDirs(dir)) {
        if (path.basename(child).startsWith('@'))
          for (const scoped of await listDirs(child)) dirs.add(scoped);
        else dirs.add(child);
      }
    }
    for (const dir of dirs) {
      try {
        const plugin = await loadPluginPackage(dir);
        if (plugin) this.register(plugin, dir);
      } catch (e) {
        if (e instanceof PluginVersionError) this.refused.push(e);
        options.onError?.(dir, e as Error);
      }
    }
  }
}

export function simpleName(className: string): string {
  const i = className.lastIndexOf('.');
  return i >= 0 ? className.slice(i + 1) : className;
}

/** Kafka Connect's alias rule: the simple name without its `Connector` suffix. */
export function shortName(simple: string): string {
  return simple.endsWith('Connector') && simple !== 'Connector'
    ? simple.slice(0, -'Connector'.length)
    : simple;
}

export function isSinkPlugin(value: unknown): value is SinkPlugin {
  if (value === null || typeof value !== 'object') return false;
  const p = value as Partial<SinkPlugin>;
  return (
    p.type === 'sink' &&
    typeof p.name === 'string' &&
    typeof p.createTask === 'function' &&
    Array.isArray(p.aliases)
  );
}

/**
 * Imports a package directory; its default export or its `plugin` export is the plugin. Throws
 * PluginVersionError when its peer range for @sluice/core excludes this core.
 */
export async function loadPluginPackage(
  dir: string,
  coreVersion = SLUICE_VERSION,
): Promise<SinkPlugin | null> {
  const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
  const entry = packageEntry(pkg);
  const mod = (await import(pathToFileURL(path.join(dir, entry)).href)) as {
    default?: unknown;
    plugin?: unknown;
  };
  const plugin = isSinkPlugin(mod.default) ? mod.default : isSinkPlugin(mod.plugin) ? mod.plugin : null;
  const range = pkg.peerDependencies?.['@sluice/core'];
  if (plugin && range && !semver.satisfies(coreVersion, range, { includePrerelease: true })) {
    throw new PluginVersionError(plugin, range, dir);
  }
  return plugin;
}

interface PackageJson {
  main?: string;
  exports?: string | Record<string, unknown>;
  peerDependencies?: Record<string, string>;
}

function packageEntry(pkg: PackageJson): string {
  const root =
    typeof pkg.exports === 'object' && pkg.exports !== null ? (pkg.exports['.'] ?? pkg.exports) : pkg.exports;
  const fromExports = conditionalTarget(root);
  return fromExports ?? pkg.main ?? 'index.js';
}

function conditionalTarget(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (target === null || typeof target !== 'object') return undefined;
  const t = target as Record<string, unknown>;
  for (const cond of ['import', 'node', 'default']) {
    const found = conditionalTarget(t[cond]);
    if (found) return found;
  }
  return undefined;
}

function nodeModulesUpwards(start: string): string[] {
  const out: string[] = [];
  let dir = path.resolve(start);
  for (;;) {
    const nm = path.join(dir, 'node_modules');
    if (existsSync(nm)) out.push(nm);
    const parent = path.dirname(dir);
    if (parent === dir) return out;
    dir = parent;
  }
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}
