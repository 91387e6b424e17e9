export { ConnectMetrics, type TaskMetricsHandle } from './connect-metrics.js';
