// The five group-coordinator calls a worker needs, with plain values in and out and errors reduced to
// the codes the membership loop acts on. The kafkajs implementation (./kafkajs/group-transport.ts)
// speaks to the real coordinator; unit tests drive WorkerGroupMember with an in-memory coordinator.

export interface JoinRequest {
  /** Empty on the first join; the coordinator hands one out. */
  readonly memberId: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocolName: string;
  readonly metadata: Buffer;
}

export interface JoinResponse {
  readonly generationId: number;
  readonly memberId: string;
  readonly leaderId: string;
  /** Every member with its metadata; only the leader receives them. */
  readonly members: readonly { readonly memberId: string; readonly metadata: Buffer }[];
}

export interface SyncRequest {
  readonly generationId: number;
  readonly memberId: string;
  /** The leader's assignment of every member; followers send none. */
  readonly assignments: readonly { readonly memberId: string; readonly assignment: Buffer }[];
}

export interface GroupTransport {
  /** (Re)discovers the group coordinator; later calls go to it. */
  findCoordinator(): Promise<void>;
  join(request: JoinRequest): Promise<JoinResponse>;
  /** This member's assignment bytes (empty when the leader left it out). */
  sync(request: SyncRequest): Promise<Buffer>;
  heartbeat(generationId: number, memberId: string): Promise<void>;
  leave(memberId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * What went wrong, as far as the membership loop cares:
 * - `rebalance`: the group is rebalancing (REBALANCE_IN_PROGRESS): rejoin, keep running work.
 * - `fenced`: this member's generation or id is no longer valid (ILLEGAL_GENERATION,
 *   UNKNOWN_MEMBER_ID): its work may already be elsewhere; stop it, then rejoin.
 * - `coordinator`: the coordinator moved, is loading or cannot be reached: find it again and retry.
 * - `fatal`: a configuration error no retry fixes (INCONSISTENT_GROUP_PROTOCOL, INVALID_SESSION_TIMEOUT,
 *   GROUP_AUTHORIZATION_FAILED...).
 */
export type GroupErrorKind = 'rebalance' | 'fenced' | 'coordinator' | 'fatal';

export class GroupError extends Error {
  constructor(
    readonly kind: GroupErrorKind,
    /** Kafka's error name, e.g. UNKNOWN_MEMBER_ID, or the client's error class. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GroupError';
  }

  /** UNKNOWN_MEMBER_ID: the coordinator forgot this member; rejoin with an empty member id. */
  get memberUnknown(): boolean {
    return this.code === 'UNKNOWN_MEMBER_ID';
  }
}
