import type { ServiceStatus } from './manager.js';

/** The `status` table: one row per service, columns padded to the widest cell. */
export function renderStatusTable(rows: readonly ServiceStatus[]): string {
  const header = ['SERVICE', 'STATE', 'PID', 'ADDRESS', 'CONNECTION'];
  const cells = rows.map((r) => [
    r.name,
    r.state,
    r.pid === undefined ? '-' : String(r.pid),
    r.host === undefined ? '-' : `${r.host}:${r.port}`,
    r.detail ?? r.connection ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  return [header, ...cells]
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '))
    .join('\n');
}
