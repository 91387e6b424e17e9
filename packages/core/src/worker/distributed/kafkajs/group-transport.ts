import type { Broker, Cluster, Kafka } from 'kafkajs';
import {
  GroupError,
  type GroupErrorKind,
  type GroupTransport,
  type JoinRequest,
  type JoinResponse,
  type SyncRequest,
} from '../group-transport.js';

// The group protocol over kafkajs 2.x. kafkajs has no public client for a group that is not a
// consumer group, but its Broker implements JoinGroup (with a protocol type), SyncGroup, Heartbeat
// and LeaveGroup (JSDoc @public, missing from its TypeScript types: declared below). The Cluster
// comes from a consumer that is never connected or run: its partition-assigner factory receives the
// consumer's own Cluster, which is then used for nothing but this group, so a JoinGroup parked by the
// coordinator blocks no other traffic.

interface GroupBroker {
  joinGroup(request: {
    groupId: string;
    sessionTimeout: number;
    rebalanceTimeout: number;
    memberId: string;
    protocolType: string;
    groupProtocols: { name: string; metadata: Buffer }[];
  }): Promise<{
    generationId: number;
    leaderId: string;
    memberId: string;
    members: { memberId: string; memberMetadata: Buffer }[];
  }>;
  syncGroup(request: {
    groupId: string;
    generationId: number;
    memberId: string;
    groupAssignment: { memberId: string; memberAssignment: Buffer }[];
  }): Promise<{ memberAssignment: Buffer }>;
  heartbeat(request: { groupId: string; groupGenerationId: number; memberId: string }): Promise<unknown>;
  leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown>;
}

const KINDS: Record<string, GroupErrorKind> = {
  REBALANCE_IN_PROGRESS: 'rebalance',
  ILLEGAL_GENERATION: 'fenced',
  UNKNOWN_MEMBER_ID: 'fenced',
  FENCED_INSTANCE_ID: 'fenced',
  INCONSISTENT_GROUP_PROTOCOL: 'fatal',
  INVALID_SESSION_TIMEOUT: 'fatal',
  INVALID_GROUP_ID: 'fatal',
  GROUP_AUTHORIZATION_FAILED: 'fatal',
  GROUP_MAX_SIZE_REACHED: 'fatal',
};

export class KafkaJsGroupTransport implements GroupTransport {
  private cluster: Cluster | null = null;
  private coordinator: (Broker & GroupBroker) | null = null;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly groupId: string,
  ) {
    kafka.consumer({
      groupId,
      partitionAssigners: [
        ({ cluster }) => {
          this.cluster = cluster;
          return {
            name: 'unused',
            version: 0,
            assign: async () => [],
            protocol: () => ({ name: 'unused', metadata: Buffer.alloc(0) }),
          };
        },
      ],
    });
  }

  async findCoordinator(): Promise<void> {
    const cluster = this.requireCluster();
    try {
      if (!this.connected) {
        await cluster.connect();
        this.connected = true;
      }
      this.coordinator = (await cluster.findGroupCoordinator({ groupId: this.groupId })) as Broker &
        GroupBroker;
    } catch (e) {
      throw toGroupError(e, `finding the group coordinator of ${this.groupId}`);
    }
  }

  async join(request: JoinRequest): Promise<JoinResponse> {
    const r = await this.call('JoinGroup', (b) =>
      b.joinGroup({
        groupId: this.groupId,
        sessionTimeout: request.sessionTimeoutMs,
        rebalanceTimeout: request.rebalanceTimeoutMs,
        memberId: request.memberId,
        protocolType: request.protocolType,
        groupProtocols: [{ name: request.protocolName, metadata: request.metadata }],
      }),
    );
    return {
      generationId: r.generationId,
      memberId: r.memberId,
      leaderId: r.leaderId,
      members: r.members.map((m) => ({ memberId: m.memberId, metadata: m.memberMetadata })),
    };
  }

  async sync(request: SyncRequest): Promise<Buffer> {
    const r = await this.call('SyncGroup', (b) =>
      b.syncGroup({
        groupId: this.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupAssignment: request.assignments.map((a) => ({
          memberId: a.memberId,
          memberAssignment: a.assignment,
        })),
      }),
    );
    return r.memberAssignment ?? Buffer.alloc(0);
  }

  async heartbeat(generationId: number, memberId: string): Promise<void> {
    await this.call('Heartbeat', (b) =>
      b.heartbeat({ groupId: this.groupId, groupGenerationId: generationId, memberId }),
    );
  }

  async leave(memberId: string): Promise<void> {
    await this.call('LeaveGroup', (b) => b.leaveGroup({ groupId: this.groupId, memberId }));
  }

  async close(): Promise<void> {
    this.coordinator = null;
    if (this.connected) await this.cluster?.disconnect();
    this.connected = false;
  }

  private async call<T>(what: string, op: (b: GroupBroker) => Promise<T>): Promise<T> {
    if (!this.coordinator)
      throw new GroupError(
        'coordinator',
        'COORDINATOR_UNKNOWN',
        `${what} before the group coordinator was found`,
      );
    try {
      return await op(this.coordinator);
    } catch (e) {
      throw toGroupError(e, `${what} for group ${this.groupId}`);
    }
  }

  private requireCluster(): Cluster {
    if (!this.cluster) throw new Error('kafkajs did not hand its Cluster to the partition assigner factory');
    return this.cluster;
  }
}

function toGroupError(e: unknown, during: string): GroupError {
  const err = e as { type?: string; name?: string; message?: string };
  const code = err.type ?? err.name ?? 'UNKNOWN';
  const kind = KINDS[code] ?? 'coordinator';
  let message = `${code} during ${during}: ${err.message ?? String(e)}`;
  if (code === 'INCONSISTENT_GROUP_PROTOCOL') {
    message =
      `The group is used by members speaking another protocol (${during}): another program - a Kafka Connect ` +
      'worker or a consumer group - uses this group.id. Give the Sluice cluster a group.id of its own.';
  } else if (code === 'INVALID_SESSION_TIMEOUT') {
    message = `session.timeout.ms is outside the broker's group.min.session.timeout.ms / group.max.session.timeout.ms (${during})`;
  }
  return new GroupError(kind, code, message, { cause: e });
}
