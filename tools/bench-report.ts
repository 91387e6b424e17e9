// `npm run bench:report`: regenerates docs/performance.md and docs/performance/*.svg from the newest
// stored result of each benchmark suite (bench/results/<suite>-<UTC time>.json).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestResults } from './bench/_results.js';
import { buildReport } from './bench-report/src/report.js';

const docs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs');
const results = newestResults();
if (results.size === 0) {
  console.error('No results in bench/results/: run `npm run bench -- <suite>` first.');
  process.exit(1);
}
const report = await buildReport(results);
const chartsDir = path.join(docs, 'performance');
mkdirSync(chartsDir, { recursive: true });
// Charts of a previous report that this one no longer draws would be stale: remove them.
for (const f of readdirSync(chartsDir))
  if (f.endsWith('.svg') && !(f in report.charts)) rmSync(path.join(chartsDir, f));
for (const [name, svg] of Object.entries(report.charts)) writeFileSync(path.join(chartsDir, name), svg);
writeFileSync(path.join(docs, 'performance.md'), report.markdown);
console.log(
  `docs/performance.md: ${results.size} suites (${[...results.keys()].sort().join(', ')}); charts: ${Object.keys(report.charts).join(', ') || 'none'}`,
);
