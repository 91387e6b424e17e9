import type { SinkTaskRunner } from '../../src/sink/runner.js';

export type SinkRunnerHandle = Pick<SinkTaskRunner, 'stop' | 'status'>;
