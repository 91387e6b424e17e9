import { readFile } from 'node:fs/promises';
import { ConfigException } from '../errors.js';
import { parseProperties } from './properties.js';
import type { TargetState } from './types.js';

// Connector files given to `sluice standalone`, in the three forms Kafka Connect's standalone mode
// accepts: a Java properties file, a JSON string map, or a JSON CreateConnectorRequest
// `{"name", "config", "initial_state"}`. Every form must name the connector.

export interface ConnectorRequest {
  name: string;
  config: Record<string, string>;
  initialState?: TargetState;
}

export async function readConnectorFile(path: string): Promise<ConnectorRequest> {
  const text = await readFile(path, 'utf8');
  try {
    return parseConnectorFile(text, path);
  } catch (e) {
    throw new ConfigException(undefined, `Connector file ${path}: ${(e as Error).message}`);
  }
}

export function parseConnectorFile(text: string, fileName = ''): ConnectorRequest {
  const looksJson = fileName.endsWith('.json') || text.trimStart().startsWith('{');
  return looksJson ? parseJsonRequest(JSON.parse(text) as unknown) : withName(parseProperties(text));
}

/** Parses a REST/JSON CreateConnectorRequest or a plain config map. */
export function parseJsonRequest(body: unknown): ConnectorRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new Error('a connector must be a JSON object');
  }
  const obj = body as Record<string, unknown>;
  if (obj.config !== undefined && typeof obj.config === 'object' && obj.config !== null) {
    const config = stringMap(obj.config as Record<string, unknown>);
    const name = typeof obj.name === 'string' ? obj.name : config.name;
    if (name === undefined || name === '') throw new Error('the connector has no "name"');
    if (config.name !== undefined && config.name !== name) {
      throw new Error(
        `Connector name configuration (${config.name}) doesn't match connector name in the URL (${name})`,
      );
    }
    const request: ConnectorRequest = { name, config: { ...config, name } };
    if (obj.initial_state !== undefined && obj.initial_state !== null) {
      request.initialState = parseInitialState(String(obj.initial_state));
    }
    return request;
  }
  return withName(stringMap(obj));
}

/** `initial_state` is case-insensitive; RUNNING maps to the STARTED target state. */
export function parseInitialState(value: string): TargetState {
  switch (value.toUpperCase()) {
    case 'RUNNING':
      return 'STARTED';
    case 'PAUSED':
      return 'PAUSED';
    case 'STOPPED':
      return 'STOPPED';
    default:
      throw new Error(`Invalid initial state '${value}': expected one of RUNNING, PAUSED, STOPPED`);
  }
}

function withName(config: Record<string, string>): ConnectorRequest {
  const name = config.name;
  if (name === undefined || name.trim() === '') throw new Error('the connector config has no "name"');
  return { name, config };
}

function stringMap(obj: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}
