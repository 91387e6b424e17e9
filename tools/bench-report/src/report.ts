// What `npm run bench:report` writes, from the newest stored result of each suite: docs/performance.md
// (a table per suite: machine, versions, config, medians, ratios, notes) and two SVG charts drawn by
// vega-lite: records/s per sink (Sluice, the store's raw ceiling, Java Kafka Connect side by side) and
// the resources Sluice and Java use for it (CPU seconds per million records, peak RSS).
// Pure functions of the results, so a fixture result is enough to test them.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { BenchMeasures, BenchResult } from '../../bench/_results.js';

/** Suites that move records into a store: each gets a bar group in the charts. */
export const SINK_SUITES = [
  'mongodb',
  'mqtt',
  'cassandra',
  'coap',
  'elastic',
  'influxdb',
  'jms',
  'rethinkdb',
] as const;

/** The Java peer's suite: case = sink, subjects `sluice` and `java`, measured in the same run. */
export const VS_JAVA_SUITE = 'vs-java';

/** One bar of a chart. */
export interface ChartRow {
  sink: string;
  /** Who ran, as the legend says it. */
  subject: string;
  recordsPerSec: number;
  cpuSecondsPerMillion?: number;
  peakRssMiB?: number;
}

const SUBJECT_LABELS: Record<string, string> = {
  sluice: 'Sluice',
  raw: 'raw client (store ceiling)',
  java: 'Java Kafka Connect',
};
const SLUICE_IN_JAVA_RUN = 'Sluice (vs-java run)';
/** The legend's order and colours, so every chart colours the same subject the same way. */
const LEGEND: [string, string][] = [
  [SUBJECT_LABELS['sluice']!, '#1f77b4'],
  [SLUICE_IN_JAVA_RUN, '#9ecae1'],
  [SUBJECT_LABELS['java']!, '#d62728'],
  [SUBJECT_LABELS['raw']!, '#7f7f7f'],
];

/** The colour and bar-offset scales over the subjects these rows have (no legend entry without a bar). */
function subjectScales(rows: readonly ChartRow[]) {
  const present = LEGEND.filter(([label]) => rows.some((r) => r.subject === label));
  const domain = present.map(([label]) => label);
  return {
    color: {
      field: 'subject',
      type: 'nominal',
      title: null,
      scale: { domain, range: present.map(([, colour]) => colour) },
    },
    xOffset: { field: 'subject', scale: { domain } },
  } as const;
}

function row(sink: string, subject: string, m: BenchMeasures): ChartRow {
  return {
    sink,
    subject,
    recordsPerSec: m.recordsPerSec,
    ...(m.cpuSecondsPerMillion !== undefined ? { cpuSecondsPerMillion: m.cpuSecondsPerMillion } : {}),
    ...(m.peakRssMiB !== undefined ? { peakRssMiB: m.peakRssMiB } : {}),
  };
}

/**
 * The bars: for each sink suite its `sluice` and `raw` medians (a suite with several cases shows each as
 * `<suite>/<case>`), and from the vs-java suite the `java` medians beside the `sluice` ones of that same
 * run (labelled apart: its topic and record count differ from the sink suite's).
 */
export function chartRows(results: ReadonlyMap<string, BenchResult>): ChartRow[] {
  const rows: ChartRow[] = [];
  for (const suite of SINK_SUITES) {
    const result = results.get(suite);
    if (!result) continue;
    const cases = Object.keys(result.medians);
    for (const c of cases) {
      const sink = cases.length === 1 ? suite : `${suite}/${c}`;
      for (const subject of ['sluice', 'raw'] as const) {
        const m = result.medians[c]?.[subject];
        if (m) rows.push(row(sink, SUBJECT_LABELS[subject]!, m));
      }
    }
  }
  const java = results.get(VS_JAVA_SUITE);
  for (const [sink, bySubject] of Object.entries(java?.medians ?? {})) {
    if (bySubject['sluice']) rows.push(row(sink, SLUICE_IN_JAVA_RUN, bySubject['sluice']));
    if (bySubject['java']) rows.push(row(sink, SUBJECT_LABELS['java']!, bySubject['java']));
  }
  return rows;
}

/** Grouped bars of records/s per sink. */
export function throughputSpec(rows: readonly ChartRow[]): TopLevelSpec {
  const { color, xOffset } = subjectScales(rows);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Records/s per sink (median of the alternated runs)',
    data: { values: rows.map((r) => ({ ...r })) },
    mark: 'bar',
    width: { step: 18 },
    height: 260,
    encoding: {
      x: { field: 'sink', type: 'nominal', title: null, axis: { labelAngle: -30 } },
      xOffset,
      y: { field: 'recordsPerSec', type: 'quantitative', title: 'records/s' },
      color,
      tooltip: [{ field: 'subject' }, { field: 'recordsPerSec', format: ',.0f' }],
    },
    config: { legend: { orient: 'bottom', columns: 2, labelLimit: 0 } },
  };
}

/** Two panels of grouped bars: CPU seconds per million records, and peak RSS, where they were measured. */
export function resourceSpec(rows: readonly ChartRow[]): TopLevelSpec {
  const measured = rows.filter((r) => r.subject !== SUBJECT_LABELS['raw']);
  const { color, xOffset } = subjectScales(measured);
  const panel = (field: 'cpuSecondsPerMillion' | 'peakRssMiB', title: string) => ({
    title,
    transform: [{ filter: `isValid(datum.${field})` }],
    mark: 'bar' as const,
    width: { step: 14 },
    height: 220,
    encoding: {
      x: { field: 'sink', type: 'nominal' as const, title: null, axis: { labelAngle: -30 } },
      xOffset,
      y: { field, type: 'quantitative' as const, title },
      color,
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Resources of the process under test (median of the alternated runs)',
    data: { values: measured.map((r) => ({ ...r })) },
    hconcat: [
      panel('cpuSecondsPerMillion', 'CPU s per million records'),
      panel('peakRssMiB', 'peak RSS (MiB)'),
    ],
    config: { legend: { orient: 'bottom', labelLimit: 0 } },
  } as TopLevelSpec;
}

/** Renders a vega-lite spec to SVG text in Node (no browser, no canvas). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const fmt = {
  rate: (v: number | undefined) => (v === undefined ? '' : Math.round(v).toLocaleString('en-US')),
  cpu: (v: number | undefined) => (v === undefined ? '' : v.toFixed(1)),
  rss: (v: number | undefined) => (v === undefined ? '' : v.toFixed(0)),
  ratio: (v: number) => `${v.toFixed(2)}×`,
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** One suite's section: what ran on what, the medians per case and subject, the ratios and the notes. */
export function suiteSection(result: BenchResult): string {
  const lines: string[] = [`## ${result.suite}`, ''];
  const m = result.machine;
  const versions = Object.entries(result.versions)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const rounds = Math.max(0, ...result.runs.map((r) => r.round));
  lines.push(
    `Measured ${result.date} on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}; ${versions}; ` +
      `${result.runs.length} runs in ${rounds} alternated round${rounds === 1 ? '' : 's'}.`,
    '',
  );
  const config = Object.entries(result.config)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
  if (config) lines.push(`Config: ${cell(config)}.`, '');
  lines.push('| case | subject | records/s | CPU s / M records | peak RSS MiB |', '|---|---|--:|--:|--:|');
  for (const [c, bySubject] of Object.entries(result.medians)) {
    for (const [subject, v] of Object.entries(bySubject)) {
      lines.push(
        `| ${cell(c)} | ${cell(subject)} | ${fmt.rate(v.recordsPerSec)} | ${fmt.cpu(v.cpuSecondsPerMillion)} | ${fmt.rss(v.peakRssMiB)} |`,
      );
    }
  }
  // Ratios are keyed `<subject>/<reference>.<measure>`: one row per case and pair, a column per measure.
  const ratioRows: string[] = [];
  for (const [c, byName] of Object.entries(result.ratios)) {
    const pairs = new Map<string, Partial<Record<keyof BenchMeasures, number>>>();
    for (const [name, v] of Object.entries(byName)) {
      const dot = name.lastIndexOf('.');
      const pair = name.slice(0, dot);
      pairs.set(pair, { ...pairs.get(pair), [name.slice(dot + 1)]: v });
    }
    for (const [pair, m] of pairs) {
      const show = (v: number | undefined) => (v === undefined ? '' : fmt.ratio(v));
      ratioRows.push(
        `| ${cell(c)} | ${cell(pair.replace('/', ' ÷ '))} | ${show(m.recordsPerSec)} | ${show(m.cpuSecondsPerMillion)} | ${show(m.peakRssMiB)} |`,
      );
    }
  }
  if (ratioRows.length > 0)
    lines.push(
      '',
      'Ratios of the medians:',
      '',
      '| case | ratio | records/s | CPU s / M records | peak RSS |',
      '|---|---|--:|--:|--:|',
      ...ratioRows,
    );
  for (const note of result.notes ?? []) lines.push('', `> ${cell(note)}`);
  lines.push('');
  return lines.join('\n');
}

export interface Report {
  markdown: string;
  /** File name under docs/performance/ → SVG text. */
  charts: Record<string, string>;
}

/** The whole report: the charts (when there are sink results) and a section per suite, by name. */
export async function buildReport(results: ReadonlyMap<string, BenchResult>): Promise<Report> {
  const rows = chartRows(results);
  const charts: Record<string, string> = {};
  const parts = [
    '# Performance',
    '',
    'Generated by `npm run bench:report` from the newest result of each suite in `bench/results/`',
    '(`npm run bench -- <suite>` writes them). Every number is a median over alternated rounds measured in',
    'one run on the machine named in its section; ratios compare medians of that same run. Do not edit by',
    'hand: rerun the benchmark, then the report.',
    '',
  ];
  if (rows.length > 0) {
    charts['throughput.svg'] = await renderSvg(throughputSpec(rows));
    parts.push('![Records/s per sink](performance/throughput.svg)', '');
    if (rows.some((r) => r.cpuSecondsPerMillion !== undefined || r.peakRssMiB !== undefined)) {
      charts['resources.svg'] = await renderSvg(resourceSpec(rows));
      parts.push('![CPU seconds per million records and peak RSS](performance/resources.svg)', '');
    }
  }
  for (const suite of [...results.keys()].sort()) parts.push(suiteSection(results.get(suite)!));
  return { markdown: `${parts.join('\n').trimEnd()}\n`, charts };
}
