// Who is master, seen from this node, in every state but MASTER, so a node leaving FAULT or
// MAINTENANCE already knows whether (and since when) the group has no master. Decided here
// from the view, applied by learnMaster (sync-group-updates.ts) before the state's handler
// runs, so the handler sees it.
import type { ElectionContext } from './state-handlers.js';
import type { SyncGroup } from './sync-group.js';
import type { NodeId, TransitionReason } from './types.js';
import type { SyncGroupView } from './view.js';

/** Why the group has no master, for the detail of the claim that ends it. */
export interface MasterLoss {
  readonly reason: TransitionReason;
  readonly detail: string;
}

export type MasterKnowledge =
  /** Nothing the sync group records about its master changes. */
  | { readonly kind: 'unchanged' }
  /** This node is master. */
  | { readonly kind: 'self' }
  | {
      readonly kind: 'known';
      readonly master: NodeId;
      readonly directMaster: NodeId | null;
      /** The epoch claimed out of sight is accounted for by the master now known. */
      readonly unseenClaimSettled: boolean;
      /** Someone took over after our release: advertise our real priority again. */
      readonly releaseHoldEnded: boolean;
    }
  | {
      readonly kind: 'none';
      readonly directMaster: NodeId | null;
      /** Set when the master was known until now: the loss starts the master-down clock. */
      readonly loss: MasterLoss | null;
    };

const UNCHANGED: MasterKnowledge = { kind: 'unchanged' };
const SELF: MasterKnowledge = { kind: 'self' };

export function masterKnowledge(
  syncGroup: Readonly<SyncGroup>,
  view: SyncGroupView,
  ctx: ElectionContext,
): MasterKnowledge {
  if (syncGroup.state === 'MASTER') return SELF;
  const directMaster = view.directMaster?.nodeId ?? null;
  const known = view.master ?? view.relayedMaster;
  const sameDirectMaster = directMaster === syncGroup.directMaster;
  if (known !== null) {
    const unseenClaimSettled = view.master === null || view.master.epoch >= syncGroup.maxSeenEpoch;
    const releaseHoldEnded = syncGroup.releaseHoldUntilMs !== null && known.nodeId !== ctx.nodeId;
    // The usual case, a backup that hears the same master as before: nothing to apply.
    if (
      sameDirectMaster &&
      known.nodeId === syncGroup.master &&
      syncGroup.masterDownAtMs === null &&
      (!unseenClaimSettled || syncGroup.unseenClaimAtMs === null) &&
      !releaseHoldEnded
    )
      return UNCHANGED;
    return {
      kind: 'known',
      master: known.nodeId,
      directMaster,
      unseenClaimSettled,
      releaseHoldEnded,
    };
  }
  if (syncGroup.masterDownAtMs !== null && syncGroup.master === null && sameDirectMaster)
    return UNCHANGED;
  return {
    kind: 'none',
    directMaster,
    loss: syncGroup.masterDownAtMs === null ? describeMasterLoss(syncGroup, ctx) : null,
  };
}

function describeMasterLoss(syncGroup: Readonly<SyncGroup>, ctx: ElectionContext): MasterLoss {
  const lostId = syncGroup.master;
  const lost = lostId === null ? undefined : ctx.peers.get(lostId);
  if (lost === undefined)
    return {
      reason: 'master-down',
      detail: `no master known for ${syncGroup.memberNames()}`,
    };
  if (lost.alive) {
    const first = syncGroup.members[0];
    const advert = first === undefined ? undefined : lost.adverts.get(first.name);
    const says =
      advert === undefined
        ? 'no longer advertises it'
        : `now ${advert.state}, priority ${advert.priority}`;
    return {
      reason: 'master-resigned',
      detail: `${lost.id} stopped being master of ${syncGroup.memberNames()} (${says})`,
    };
  }
  if (lost.presumedUntilMs !== null && lost.lastHeardMs !== null)
    return {
      reason: 'master-down',
      detail: `master ${lost.id} last said it could not hear this node; presumed alive behind a one-way cut for ${Math.round(lost.presumedUntilMs - lost.lastHeardMs)}ms, no heartbeat since`,
    };
  if (lost.lostReason === 'closed')
    return {
      reason: 'peer-connection-closed',
      detail: `connection to master ${lost.id} closed and no live peer hears it`,
    };
  return {
    reason: 'master-down',
    detail: `no heartbeat from master ${lost.id} for ${ctx.downAfterMs}ms and no live peer hears it`,
  };
}
