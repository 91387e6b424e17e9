import { builtinPlugins } from '../connectors/index.js';
import { PluginRegistry } from '../worker/plugins.js';
import { WorkerConfig } from '../worker/worker-config.js';
import { readWorkerProperties } from './worker-file.js';

/** `sluice plugins [worker.properties]` — installed sink plugins with versions and the names that select them. */
export async function runPlugins(args: readonly string[], out: (text: string) => void): Promise<void> {
  const pluginPath = args[0] ? new WorkerConfig(await readWorkerProperties(args[0])).pluginPath : [];
  const registry = new PluginRegistry();
  for (const p of builtinPlugins) registry.register(p);
  const failures: string[] = [];
  await registry.discover({ pluginPath, onError: (dir, e) => failures.push(`${dir}: ${e.message}`) });
  for (const { plugin, location } of registry.list()) {
    out(`${plugin.name} ${plugin.version}  (${location})`);
    out(`  connector.class: ${PluginRegistry.namesOf(plugin).join(', ')}`);
  }
  for (const f of failures) out(`could not load ${f}`);
}
