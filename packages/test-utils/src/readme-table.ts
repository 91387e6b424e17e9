import { readFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import type { ConfigKey, SinkPlugin } from '@sluice/core';

// A sink README's configuration table, generated from the plugin's ConfigDef between
// `<!-- config-table:start -->` and `<!-- config-table:end -->` (tools/gen-config-docs.ts writes it),
// and the drift guard every sink's unit tests run: expectReadmeConfigTable(plugin).

export const TABLE_START = '<!-- config-table:start -->';
export const TABLE_END = '<!-- config-table:end -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function defaultText(key: ConfigKey): string {
  if (key.default === undefined) return '(required)';
  if (key.type === 'PASSWORD') return key.default ? '[hidden]' : '`""`';
  if (Array.isArray(key.default)) return `\`${JSON.stringify(key.default.join(','))}\``;
  return `\`${JSON.stringify(key.default)}\``;
}

/** The table as `prettier --write` leaves it, so that formatting the README does not make it stale. */
export async function configTable(plugin: SinkPlugin, readmePath: string): Promise<string> {
  const options = (await resolveConfig(readmePath)) ?? {};
  return (await format(rawTable(plugin), { ...options, parser: 'markdown' })).trim();
}

function rawTable(plugin: SinkPlugin): string {
  const rows = [...plugin.configDef.configKeys().values()].map((key) => {
    const type = key.type === 'PASSWORD' ? 'password (secret)' : key.type.toLowerCase();
    const values = key.recommendedValues?.length ? ` One of: ${key.recommendedValues.join(', ')}.` : '';
    return `| \`${key.name}\` | ${type} | ${defaultText(key)} | ${key.importance.toLowerCase()} | ${cell(key.doc + values)} |`;
  });
  return ['| Key | Type | Default | Importance | Description |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** The table as it stands in a README (between the markers), or null when the markers are missing. */
export function readmeTable(readme: string): string | null {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  return start < 0 || end < start ? null : readme.slice(start + TABLE_START.length, end).trim();
}

/**
 * Throws when the README's configuration table differs from the plugin's ConfigDef (a key added,
 * removed, renamed, or its default or doc changed), saying how to regenerate it.
 * `readmePath` defaults to README.md of the working directory (the package, under nx/vitest).
 */
export async function expectReadmeConfigTable(
  plugin: SinkPlugin,
  readmePath = path.resolve('README.md'),
): Promise<void> {
  const readme = readFileSync(readmePath, 'utf8');
  const actual = readmeTable(readme);
  if (actual === null)
    throw new Error(`${readmePath}: add ${TABLE_START} and ${TABLE_END} where the table goes`);
  const expected = await configTable(plugin, readmePath);
  if (actual === expected) return;
  const have = new Set(actual.split('\n'));
  const want = new Set(expected.split('\n'));
  const diff = [
    ...[...want].filter((l) => !have.has(l)).map((l) => `+ ${l}`),
    ...[...have].filter((l) => !want.has(l)).map((l) => `- ${l}`),
  ];
  throw new Error(
    `${readmePath}: the configuration table has drifted from ${plugin.name}'s ConfigDef; run ` +
      `npx tsx tools/gen-config-docs.ts ${path.relative(process.cwd(), path.dirname(readmePath)) || '.'}\n${diff.join('\n')}`,
  );
}
