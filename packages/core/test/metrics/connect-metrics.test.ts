import { describe, expect, it } from 'vitest';
import { ConnectMetrics } from '../../src/metrics/connect-metrics.js';

describe('ConnectMetrics', () => {
  it('counts what the engine reports, labelled by connector and task', async () => {
    const metrics = new ConnectMetrics();
    const task = metrics.sinkTask('orders', 1);
    task.recordsRead(10);
    task.recordsSent(8);
    task.putBatchTime(12);
    task.offsetCommit(true, 3);
    task.offsetCommit(false, 5000);
    task.recordsFailed(2);
    task.deadLetterRecords(2);
    task.consumerLag('t', 0, 100);
    task.consumerLag('t', 1, 40);
    const text = (await metrics.text()).body;
    const labels = '{connector="orders",task="1"}';
    expect(text).toContain(`kafka_connect_sink_task_metrics_sink_record_read_total${labels} 10`);
    expect(text).toContain(`kafka_connect_sink_task_metrics_sink_record_send_total${labels} 8`);
    expect(text).toContain(`kafka_connect_sink_task_metrics_put_batch_time_ms_count${labels} 1`);
    expect(text).toContain(`kafka_connect_sink_task_metrics_offset_commit_completion_total${labels} 1`);
    expect(text).toContain(`kafka_connect_connector_task_metrics_offset_commit_failure_total${labels} 1`);
    expect(text).toContain(`kafka_connect_task_error_metrics_total_record_failures${labels} 2`);
    expect(text).toContain(`kafka_connect_task_error_metrics_deadletterqueue_produce_requests${labels} 2`);
    expect(text).toContain(
      'kafka_connect_sink_task_metrics_sink_record_lag{connector="orders",task="1",topic="t",partition="1"} 40',
    );
    expect(text).toContain(`kafka_connect_sink_task_metrics_sink_record_lag_max${labels} 100`);
  });

  it("drops a task's series when it closes", async () => {
    const metrics = new ConnectMetrics();
    const task = metrics.sinkTask('gone', 0);
    task.recordsRead(1);
    task.consumerLag('t', 0, 5);
    metrics.taskState('gone', 0, 'RUNNING');
    task.close();
    metrics.taskState('gone', 0, null);
    expect((await metrics.text()).body).not.toContain('connector="gone"');
  });

  it('keeps one-hot status gauges and worker counts', async () => {
    const metrics = new ConnectMetrics();
    metrics.connectorState('c', 'PAUSED');
    metrics.setRunning(2, 5);
    metrics.startupAttempt('task', false);
    const text = (await metrics.text()).body;
    expect(text).toContain('kafka_connect_connector_metrics_status{connector="c",status="paused"} 1');
    expect(text).toContain('kafka_connect_connector_metrics_status{connector="c",status="running"} 0');
    expect(text).toContain('kafka_connect_connect_worker_metrics_connector_count 2');
    expect(text).toContain('kafka_connect_connect_worker_metrics_task_count 5');
    expect(text).toContain(
      'kafka_connect_connect_worker_metrics_startup_total{kind="task",result="failure"} 1',
    );
  });
});
