import { describe, expect, it } from 'vitest';
import { alternatedRuns, mediansOf, ratiosOf } from '../../bench/_results.js';

describe('stored result shape', () => {
  const runs = alternatedRuns('insert', 1000, [
    {
      raw: { recordsPerSec: 1000 },
      sluice: { recordsPerSec: 500, cpuSecondsPerMillion: 40, peakRssMiB: 100 },
    },
    {
      raw: { recordsPerSec: 2000 },
      sluice: { recordsPerSec: 800, cpuSecondsPerMillion: NaN, peakRssMiB: 120 },
    },
    {
      raw: { recordsPerSec: 4000 },
      sluice: { recordsPerSec: 900, cpuSecondsPerMillion: 60, peakRssMiB: 90 },
    },
  ]);

  it('makes pair i round i, raw then sluice, and leaves out measures that were not taken', () => {
    expect(runs.map((r) => [r.round, r.subject])).toEqual([
      [1, 'raw'],
      [1, 'sluice'],
      [2, 'raw'],
      [2, 'sluice'],
      [3, 'raw'],
      [3, 'sluice'],
    ]);
    expect(runs[0]).toEqual({
      case: 'insert',
      subject: 'raw',
      round: 1,
      records: 1000,
      seconds: 1,
      recordsPerSec: 1000,
    });
    expect(runs[3]).not.toHaveProperty('cpuSecondsPerMillion');
  });

  it('takes medians per case and subject over the measures present, and ratios of the medians', () => {
    const medians = mediansOf(runs);
    expect(medians['insert']).toEqual({
      raw: { recordsPerSec: 2000 },
      sluice: { recordsPerSec: 800, cpuSecondsPerMillion: 50, peakRssMiB: 100 },
    });
    expect(ratiosOf(medians, 'sluice', 'raw')).toEqual({ insert: { 'sluice/raw.recordsPerSec': 0.4 } });
  });
});
