import { SinkTaskRunner } from '../sink/runner.js';
import type { RunnerFactory } from './worker.js';

/** Tasks run on the sink engine's SinkTaskRunner (tests inject fakes instead). */
export const defaultRunnerFactory: RunnerFactory = (options) => new SinkTaskRunner(options);
