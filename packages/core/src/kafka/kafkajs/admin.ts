import type { Admin, Kafka } from 'kafkajs';
import type { GroupDescription, KafkaAdmin, NewTopic, TopicPartitionOffset } from '../port.js';

export class KafkaJsAdmin implements KafkaAdmin {
  private readonly admin: Admin;

  constructor(kafka: Kafka) {
    this.admin = kafka.admin();
  }

  connect(): Promise<void> {
    return this.admin.connect();
  }

  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  async createTopics(topics: readonly NewTopic[]): Promise<string[]> {
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return [];
    try {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
          configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (e) {
      // Another client may have created it between the listing and the request.
      if (!isTopicExists(e)) throw e;
    }
    return missing.map((t) => t.topic);
  }

  deleteTopics(topics: readonly string[]): Promise<void> {
    return this.admin.deleteTopics({ topics: [...topics] });
  }

  async partitionCount(topic: string): Promise<number> {
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]?.partitions.length ?? 0;
  }

  async topicEndOffsets(topic: string): Promise<TopicPartitionOffset[]> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return offsets.map((o) => ({ topic, partition: o.partition, offset: Number(o.high) }));
  }

  async fetchGroupOffsets(groupId: string, topics?: readonly string[]): Promise<TopicPartitionOffset[]> {
    const result = await this.admin.fetchOffsets({ groupId, ...(topics ? { topics: [...topics] } : {}) });
    return result.flatMap(({ topic, partitions }) =>
      partitions.map((p) => ({ topic, partition: p.partition, offset: Number(p.offset) })),
    );
  }

  async setGroupOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const o of offsets) {
      const list = byTopic.get(o.topic) ?? [];
      list.push({ partition: o.partition, offset: String(o.offset) });
      byTopic.set(o.topic, list);
    }
    for (const [topic, partitions] of byTopic) await this.admin.setOffsets({ groupId, topic, partitions });
  }

  async deleteGroup(groupId: string): Promise<void> {
    await this.admin.deleteGroups([groupId]);
  }

  async clusterId(): Promise<string> {
    return (await this.admin.describeCluster()).clusterId;
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    const { groups } = await this.admin.describeGroups([groupId]);
    const g = groups[0];
    if (!g) return { groupId, state: 'Dead', protocolType: '', members: [] };
    return {
      groupId: g.groupId,
      state: g.state,
      protocolType: g.protocolType,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
      })),
    };
  }

  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }
}

function isTopicExists(e: unknown): boolean {
  const err = e as { type?: string; errors?: { type?: string }[] };
  return (
    err.type === 'TOPIC_ALREADY_EXISTS' || (err.errors ?? []).every((x) => x.type === 'TOPIC_ALREADY_EXISTS')
  );
}
