import type { KafkaAdmin, TopicPartitionOffset } from '../kafka/port.js';
import { ConnectException } from '../errors.js';
import { BadRequestException } from './herder-errors.js';
import type { SinkOffsetEntry } from './types.js';

// The offsets API of KIP-875 for sink connectors: their progress is the committed offsets of their
// consumer group, so reading, altering and resetting them are consumer-group admin operations. They
// are only allowed while the connector is STOPPED, i.e. while the group has no members.

export class SinkOffsets {
  constructor(private readonly admin: () => Promise<KafkaAdmin>) {}

  async get(groupId: string): Promise<SinkOffsetEntry[]> {
    const admin = await this.admin();
    const offsets = await admin.fetchGroupOffsets(groupId);
    return offsets
      .filter((o) => o.offset >= 0)
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
      .map((o) => ({
        partition: { kafka_topic: o.topic, kafka_partition: o.partition },
        offset: { kafka_offset: o.offset },
      }));
  }

  /** Sets the given partitions; a null offset forgets the partition (consumption restarts from the earliest offset). */
  async alter(connector: string, groupId: string, entries: readonly SinkOffsetEntry[]): Promise<void> {
    const admin = await this.admin();
    await this.assertGroupInactive(admin, connector, groupId, 'alter');
    const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
    const resets = new Set(
      entries
        .filter((e) => e.offset === null)
        .map((e) => key(e.partition.kafka_topic, e.partition.kafka_partition)),
    );
    const updates: TopicPartitionOffset[] = entries
      .filter((e) => e.offset !== null)
      .map((e) => ({
        topic: e.partition.kafka_topic,
        partition: e.partition.kafka_partition,
        offset: e.offset!.kafka_offset,
      }));
    if (resets.size > 0) {
      // Kafka has no "delete one partition's offset" in this client, so the group is rebuilt
      // without the reset partitions: remove it, then write back every offset that stays.
      const updated = new Set(updates.map((u) => key(u.topic, u.partition)));
      const kept = (await admin.fetchGroupOffsets(groupId)).filter(
        (o) =>
          o.offset >= 0 && !resets.has(key(o.topic, o.partition)) && !updated.has(key(o.topic, o.partition)),
      );
      await deleteGroupIfExists(admin, groupId);
      updates.push(...kept);
    }
    if (updates.length > 0) await admin.setGroupOffsets(groupId, updates);
  }

  async reset(connector: string, groupId: string): Promise<void> {
    const admin = await this.admin();
    await this.assertGroupInactive(admin, connector, groupId, 'reset');
    await deleteGroupIfExists(admin, groupId);
  }

  private async assertGroupInactive(
    admin: KafkaAdmin,
    connector: string,
    groupId: string,
    verb: string,
  ): Promise<void> {
    const group = await admin.describeGroup(groupId);
    if (group.members.length > 0) {
      throw new ConnectException(
        `Failed to ${verb} consumer group offsets for connector ${connector} either because its tasks haven't stopped ` +
          `completely yet or the connector was resumed before the request to ${verb} its offsets could be successfully ` +
          `completed (group ${groupId} still has ${group.members.length} member(s)). If the connector is in a stopped ` +
          'state, this operation can be safely retried.',
      );
    }
  }
}

async function deleteGroupIfExists(admin: KafkaAdmin, groupId: string): Promise<void> {
  try {
    await admin.deleteGroup(groupId);
  } catch (e) {
    const err = e as { type?: string; message?: string };
    if (err.type === 'GROUP_ID_NOT_FOUND' || /GROUP_ID_NOT_FOUND|does not exist/i.test(err.message ?? ''))
      return;
    throw e;
  }
}

/** Parses the body of `PATCH /connectors/{name}/offsets` with Kafka Connect's messages. */
export function parseSinkOffsetsRequest(body: unknown): SinkOffsetEntry[] {
  const offsets = (body as { offsets?: unknown } | null)?.offsets;
  if (!Array.isArray(offsets) || offsets.length === 0) {
    throw new BadRequestException('Partitions / offsets need to be provided for an alter offsets request');
  }
  return offsets.map((entry: unknown) => {
    const e = (entry ?? {}) as {
      partition?: Record<string, unknown> | null;
      offset?: Record<string, unknown> | null;
    };
    const p = e.partition;
    if (
      p === null ||
      p === undefined ||
      typeof p !== 'object' ||
      !('kafka_topic' in p) ||
      !('kafka_partition' in p)
    ) {
      throw new BadRequestException(
        "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'.",
      );
    }
    const topic = p.kafka_topic;
    if (typeof topic !== 'string' || topic === '')
      throw new BadRequestException('Kafka topic names must be valid strings that are not empty');
    const partition = nonNegativeInt(
      p.kafka_partition,
      'Kafka partitions must be valid numbers and may not be negative',
    );
    if (e.offset === null || e.offset === undefined)
      return { partition: { kafka_topic: topic, kafka_partition: partition }, offset: null };
    if (typeof e.offset !== 'object' || !('kafka_offset' in e.offset)) {
      throw new BadRequestException(
        "The offset for a sink connector should either be null or contain the key 'kafka_offset'.",
      );
    }
    const offset = nonNegativeInt(
      e.offset.kafka_offset,
      'Kafka offsets must be valid numbers and may not be negative',
    );
    return {
      partition: { kafka_topic: topic, kafka_partition: partition },
      offset: { kafka_offset: offset },
    };
  });
}

function nonNegativeInt(value: unknown, message: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new BadRequestException(message);
  return n;
}
