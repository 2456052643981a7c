// Whether an operator command may run, and if not, the refusal the REST API turns into a 409.
// Pure: it reads facts, election.ts applies the effect. Every command gets an answer.
import type { SyncGroup } from './sync-group.js';
import type { GroupName, NodeId, OperatorCommand, RefusalCode } from './types.js';

export interface CommandFacts {
  readonly nodeId: NodeId;
  /** The sync group of the named group, or undefined when no such group exists here. */
  readonly syncGroup: Readonly<SyncGroup> | undefined;
  readonly maintenance: boolean;
  readonly resigned: boolean;
  readonly quorumEnabled: boolean;
  readonly hasQuorum: boolean;
  readonly quorumDetail: string;
  /** Live peers that could take the group over if this node released it. */
  readonly otherCandidates: number;
}

export type CommandEffect =
  | 'takeover'
  | 'hold-as-master'
  | 'release'
  | 'maintenance-on'
  | 'maintenance-off'
  | 'resign'
  | 'none';

export type CommandVerdict =
  | { readonly ok: false; readonly code: RefusalCode; readonly message: string }
  | { readonly ok: true; readonly effect: CommandEffect; readonly message: string };

function refuse(code: RefusalCode, message: string): CommandVerdict {
  return { ok: false, code, message };
}

function judgeTakeover(group: GroupName, facts: CommandFacts): CommandVerdict {
  const { syncGroup, nodeId } = facts;
  if (syncGroup === undefined)
    return refuse('UNKNOWN_GROUP', `no group named ${JSON.stringify(group)} on ${nodeId}`);
  if (facts.resigned) return refuse('NODE_RESIGNED', `${nodeId} is shutting down (resigned)`);
  if (facts.maintenance)
    return refuse('NODE_IN_MAINTENANCE', `${nodeId} is in maintenance; turn maintenance off first`);
  if (syncGroup.state === 'FAULT') {
    const failing = syncGroup.members.flatMap((m) =>
      m.faultyTrackers().map((t) => `${m.name}: ${t}`),
    );
    return refuse(
      'GROUP_IN_FAULT',
      `${group} is in FAULT on ${nodeId} (failing trackers: ${failing.join(', ')})`,
    );
  }
  if (syncGroup.weightedPriority() === 0)
    return refuse(
      'NODE_RESIGNED',
      `${group} has priority 0 on ${nodeId}: configured never to be master`,
    );
  if (facts.quorumEnabled && !facts.hasQuorum)
    return refuse(
      'NO_QUORUM',
      `${nodeId} ${facts.quorumDetail}: taking over could split the brain`,
    );
  if (syncGroup.state === 'MASTER')
    return {
      ok: true,
      effect: 'hold-as-master',
      message: `${nodeId} already is master of ${group}`,
    };
  return { ok: true, effect: 'takeover', message: `${nodeId} takes over ${group}` };
}

function judgeRelease(group: GroupName, facts: CommandFacts): CommandVerdict {
  const { syncGroup, nodeId } = facts;
  if (syncGroup === undefined)
    return refuse('UNKNOWN_GROUP', `no group named ${JSON.stringify(group)} on ${nodeId}`);
  if (syncGroup.state !== 'MASTER')
    return refuse(
      'NOT_MASTER',
      `${nodeId} is not master of ${group} (${syncGroup.state})${syncGroup.master === null ? '' : `; ${syncGroup.master} is`}`,
    );
  if (facts.otherCandidates === 0)
    return refuse(
      'NO_CANDIDATE',
      `no other live node can take ${group}; releasing it would leave it without a master`,
    );
  return { ok: true, effect: 'release', message: `${nodeId} releases ${group}` };
}

export function judgeCommand(command: OperatorCommand, facts: CommandFacts): CommandVerdict {
  switch (command.command) {
    case 'takeover':
      return judgeTakeover(command.group, facts);
    case 'release':
      return judgeRelease(command.group, facts);
    case 'maintenance':
      if (command.enabled === facts.maintenance)
        return {
          ok: true,
          effect: 'none',
          message: `${facts.nodeId} maintenance already ${command.enabled ? 'on' : 'off'}`,
        };
      return {
        ok: true,
        effect: command.enabled ? 'maintenance-on' : 'maintenance-off',
        message: `${facts.nodeId} maintenance ${command.enabled ? 'on: every group drained' : 'off'}`,
      };
    case 'resign':
      if (facts.resigned)
        return { ok: true, effect: 'none', message: `${facts.nodeId} already resigned` };
      return {
        ok: true,
        effect: 'resign',
        message: `${facts.nodeId} resigns: advertising priority 0 for every group`,
      };
  }
}
