import type { SinkPlugin } from '../sink/api.js';
import { fileStreamSinkPlugin } from './file/index.js';

// Connectors that ship inside @sluice/core; sink packages are found by the plugin registry.
export const builtinPlugins: readonly SinkPlugin[] = [fileStreamSinkPlugin];

export { fileStreamSinkPlugin } from './file/index.js';
export { FileStreamSinkTask } from './file/task.js';
export { renderValue } from './file/render.js';
