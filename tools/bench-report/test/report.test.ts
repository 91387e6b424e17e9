import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../bench/_results.js';
import { mediansOf, ratiosOf } from '../../bench/_results.js';
import { buildReport, chartRows, renderSvg, suiteSection, throughputSpec } from '../src/report.js';

function result(suite: string, runs: BenchResult['runs'], compare: [string, string]): BenchResult {
  const medians = mediansOf(runs);
  return {
    suite,
    date: '2026-12-07T12:00:00.000Z',
    machine: { cpus: 2, cpuModel: 'Test CPU', memoryGiB: 8, os: 'Linux 6.1' },
    versions: { node: 'v20.19.0', commit: 'abc1234' },
    config: { records: 1000, batch: 500 },
    runs,
    medians,
    ratios: ratiosOf(medians, ...compare),
    notes: ['BENCH_RECORDS lowered to 1000 | fixture'],
  };
}

const mongodb = result(
  'mongodb',
  [1, 2, 3].flatMap((round) => [
    {
      case: 'insert',
      subject: 'raw',
      round,
      records: 1000,
      seconds: 0.1,
      recordsPerSec: 9000 + round * 1000,
    },
    {
      case: 'insert',
      subject: 'sluice',
      round,
      records: 1000,
      seconds: 0.2,
      recordsPerSec: 4000 + round * 1000,
      cpuSecondsPerMillion: 30 + round,
      peakRssMiB: 200 + round,
    },
  ]),
  ['sluice', 'raw'],
);
const vsJava = result(
  'vs-java',
  [1, 2, 3].flatMap((round) => [
    {
      case: 'mongodb',
      subject: 'java',
      round,
      records: 1000,
      seconds: 1,
      recordsPerSec: 3000,
      peakRssMiB: 600,
    },
    {
      case: 'mongodb',
      subject: 'sluice',
      round,
      records: 1000,
      seconds: 1,
      recordsPerSec: 4500,
      peakRssMiB: 210,
    },
  ]),
  ['sluice', 'java'],
);

describe('suiteSection', () => {
  it('turns the medians into a table row per case and subject, with the ratios and notes', () => {
    const md = suiteSection(mongodb);
    expect(md).toContain('| insert | sluice | 6,000 | 32.0 | 202 |');
    expect(md).toContain('| insert | raw | 11,000 |  |  |');
    expect(md).toContain('| insert | sluice ÷ raw | 0.55× |  |  |');
    expect(md).toContain('2 × Test CPU, 8 GiB');
    expect(md).toContain('3 alternated rounds');
    expect(md).toContain('records=1000, batch=500');
    // A pipe in free text must not split the table or the quote.
    expect(md).toContain('> BENCH_RECORDS lowered to 1000 \\| fixture');
  });
});

describe('charts', () => {
  it('puts Sluice, the raw ceiling and Java side by side per sink', () => {
    const rows = chartRows(
      new Map([
        ['mongodb', mongodb],
        ['vs-java', vsJava],
      ]),
    );
    expect(rows.map((r) => [r.sink, r.subject, r.recordsPerSec])).toEqual([
      ['mongodb', 'Sluice', 6000],
      ['mongodb', 'raw client (store ceiling)', 11000],
      ['mongodb', 'Sluice (vs-java run)', 4500],
      ['mongodb', 'Java Kafka Connect', 3000],
    ]);
  });

  it('renders an SVG with one bar per row and the sink on the axis', async () => {
    const rows = chartRows(
      new Map([
        ['mongodb', mongodb],
        ['vs-java', vsJava],
      ]),
    );
    const svg = await renderSvg(throughputSpec(rows));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(4);
    expect(svg).toContain('>mongodb</text>');
    expect(svg).toContain('>Java Kafka Connect</text>');
    expect(svg).toContain('>records/s</text>');
  });

  it('writes the markdown linking both charts, and only the bars measured for resources', async () => {
    const report = await buildReport(
      new Map([
        ['mongodb', mongodb],
        ['vs-java', vsJava],
      ]),
    );
    expect(Object.keys(report.charts).sort()).toEqual(['resources.svg', 'throughput.svg']);
    expect(report.markdown).toContain('](performance/throughput.svg)');
    expect(report.markdown).toContain('## mongodb');
    expect(report.markdown).toContain('## vs-java');
    // CPU: only the sink suite's Sluice run has it (1 bar); RSS: Sluice, Sluice (vs-java run), Java (3 bars).
    expect(report.charts['resources.svg']!.match(/aria-roledescription="bar"/g)).toHaveLength(4);
  });
});
