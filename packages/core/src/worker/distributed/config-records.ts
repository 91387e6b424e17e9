import type { RestartRequest, TargetState } from '../types.js';
import type { OutgoingRecord } from './internal-kafka.js';

// The records of the config topic, keyed and shaped as Kafka Connect writes them (JsonConverter with
// schemas disabled), so that the topic reads the same with Kafka Connect's tools:
//   connector-<name>        {"properties":{…}}             null = connector deleted
//   task-<name>-<n>         {"properties":{…}}
//   commit-<name>           {"tasks":N}                    task configs apply only once committed
//   target-state-<name>     {"state":"STARTED|PAUSED","state.v2":"STARTED|PAUSED|STOPPED"}
//   restart-connector-<name> {"include-tasks":bool,"only-failed":bool}

export type ConfigRecord =
  | { kind: 'connector'; connector: string; config: Record<string, string> | null }
  | { kind: 'task'; connector: string; task: number; config: Record<string, string> }
  | { kind: 'commit'; connector: string; tasks: number }
  | { kind: 'target-state'; connector: string; state: TargetState | null }
  | { kind: 'restart'; connector: string; request: RestartRequest }
  | { kind: 'ignored'; key: string; reason: string };

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

export const configRecords = {
  connector(name: string, config: Record<string, string>): OutgoingRecord {
    return { key: `connector-${name}`, value: json({ properties: config }) };
  },
  /** The task configs and their commit record, which makes readers apply them together. */
  tasks(name: string, configs: readonly Record<string, string>[]): OutgoingRecord[] {
    return [
      ...configs.map((properties, n) => ({ key: `task-${name}-${n}`, value: json({ properties }) })),
      { key: `commit-${name}`, value: json({ tasks: configs.length }) },
    ];
  },
  targetState(name: string, state: TargetState): OutgoingRecord {
    // Workers before Kafka Connect 3.5 know only STARTED and PAUSED: STOPPED reads as PAUSED for them.
    return {
      key: `target-state-${name}`,
      value: json({ state: state === 'STARTED' ? 'STARTED' : 'PAUSED', 'state.v2': state }),
    };
  },
  restart(name: string, request: RestartRequest): OutgoingRecord {
    return {
      key: `restart-connector-${name}`,
      value: json({ 'include-tasks': request.includeTasks, 'only-failed': request.onlyFailed }),
    };
  },
  /** Deleting a connector removes its config and its target state, as Kafka Connect does. */
  deleteConnector(name: string): OutgoingRecord[] {
    return [
      { key: `connector-${name}`, value: null },
      { key: `target-state-${name}`, value: null },
    ];
  },
};

export function parseConfigRecord(key: string | null, value: Buffer | null): ConfigRecord {
  if (key === null) return { kind: 'ignored', key: '', reason: 'record without key' };
  let body: Record<string, unknown> | null = null;
  if (value !== null) {
    try {
      const parsed: unknown = JSON.parse(value.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        return { kind: 'ignored', key, reason: 'value is not a JSON object' };
      body = parsed as Record<string, unknown>;
    } catch (e) {
      return { kind: 'ignored', key, reason: `value is not JSON: ${(e as Error).message}` };
    }
  }
  const properties = () => {
    const p = body?.properties;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return null;
    return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)]));
  };

  if (key.startsWith('connector-')) {
    const connector = key.slice('connector-'.length);
    if (body === null) return { kind: 'connector', connector, config: null };
    const config = properties();
    return config
      ? { kind: 'connector', connector, config }
      : { kind: 'ignored', key, reason: 'no "properties" object' };
  }
  if (key.startsWith('task-')) {
    const m = /^task-(.+)-(\d+)$/.exec(key);
    const config = properties();
    if (!m || !config)
      return { kind: 'ignored', key, reason: 'not task-<connector>-<n> with a "properties" object' };
    return { kind: 'task', connector: m[1]!, task: Number(m[2]), config };
  }
  if (key.startsWith('commit-')) {
    const tasks = body?.tasks;
    if (typeof tasks !== 'number' || !Number.isInteger(tasks) || tasks < 0)
      return { kind: 'ignored', key, reason: 'no "tasks" count' };
    return { kind: 'commit', connector: key.slice('commit-'.length), tasks };
  }
  if (key.startsWith('target-state-')) {
    const connector = key.slice('target-state-'.length);
    if (body === null) return { kind: 'target-state', connector, state: null };
    const state = body['state.v2'] ?? body.state;
    if (state !== 'STARTED' && state !== 'PAUSED' && state !== 'STOPPED')
      return { kind: 'ignored', key, reason: `unknown target state ${String(state)}` };
    return { kind: 'target-state', connector, state };
  }
  if (key.startsWith('restart-connector-')) {
    if (body === null) return { kind: 'ignored', key, reason: 'tombstone' };
    return {
      kind: 'restart',
      connector: key.slice('restart-connector-'.length),
      request: { includeTasks: body['include-tasks'] === true, onlyFailed: body['only-failed'] === true },
    };
  }
  return { kind: 'ignored', key, reason: 'not a record kind this worker uses' };
}
