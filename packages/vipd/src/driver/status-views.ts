// The driver's state as the API shows it: the election's status joined with the config, the
// VIPs held, the trackers and what each peer last said. Reads only; wall-clock times are
// derived from the monotonic clock at the moment of the read.

import type { Clock } from '@vipd/clock';
import type { Election, GroupStatus } from '@vipd/election';
import type { HeartbeatMesh, HeartbeatReceived } from '@vipd/heartbeat';
import type { DaemonPhase, GroupView, StatusView } from '../api/control.js';
import type { GroupSpec, VipdConfig } from '../config/types.js';
import type { LastTransitions } from '../events/last-transitions.js';
import type { TrackerSet } from '../trackers/tracker-set.js';
import { VIPD_VERSION } from '../version.js';
import { vipText, type VipHolder } from './vip-holder.js';

export interface StatusViewDeps {
  readonly clock: Clock;
  /** Unix time now, for timestamps in the API. */
  readonly wallClockMs: () => number;
  readonly mesh: Pick<HeartbeatMesh, 'peers'>;
  readonly holder: Pick<VipHolder, 'isHeld'>;
  readonly trackers: TrackerSet | undefined;
  readonly config: () => VipdConfig;
  readonly groups: () => ReadonlyMap<string, GroupSpec>;
  readonly election: () => Election | null;
  readonly phase: () => DaemonPhase;
  /** Why each group is in its state (the Group view's lastTransitionReason and …Detail). */
  readonly lastTransitions: LastTransitions;
  /** Groups decided by VRRP on the wire (the election knows only the mesh's). */
  readonly vrrp: {
    group(name: string): GroupView | null;
    views(): GroupView[];
    maintenance(): boolean;
  };
}

export class StatusViews {
  readonly #deps: StatusViewDeps;
  readonly #startedAtMs: number;
  /** What each peer advertised in its last heartbeat. */
  readonly #lastHeardGroups = new Map<string, HeartbeatReceived['groups']>();

  constructor(deps: StatusViewDeps) {
    this.#deps = deps;
    this.#startedAtMs = deps.clock.now();
  }

  heard(heartbeat: HeartbeatReceived): void {
    this.#lastHeardGroups.set(heartbeat.from, heartbeat.groups);
  }

  /** The groups a peer advertised in its last heartbeat; undefined if never heard. */
  lastHeardGroups(peer: string): HeartbeatReceived['groups'] | undefined {
    return this.#lastHeardGroups.get(peer);
  }

  group(name: string): GroupView | null {
    const status = this.#deps
      .election()
      ?.status()
      .groups.find((g) => g.name === name);
    return status === undefined ? this.#deps.vrrp.group(name) : this.#groupView(status);
  }

  status(): StatusView {
    const config = this.#deps.config();
    const election = this.#deps.election()?.status();
    const peers = this.#deps.mesh.peers();
    return {
      node: {
        id: config.node.id,
        version: VIPD_VERSION,
        phase: this.#deps.phase(),
        maintenance: election?.maintenance ?? this.#deps.vrrp.maintenance(),
        witness: config.groups.length === 0,
        uptimeSeconds: Math.round((this.#deps.clock.now() - this.#startedAtMs) / 10) / 100,
      },
      quorum: {
        enabled: election?.quorum.enabled ?? config.cluster.quorum,
        hasQuorum: election?.quorum.hasQuorum ?? false,
        voters: election?.quorum.voters ?? config.cluster.peers.length + 1,
        votersHeard: election?.quorum.votersHeard ?? 1,
      },
      peers: peers.map((peer) => ({
        id: peer.id,
        address: peer.address,
        up: peer.up,
        rttMs: peer.rttMs,
        path: peer.path,
        lastHeartbeatAt:
          peer.lastHeartbeatAtMs === null ? null : new Date(peer.lastHeartbeatAtMs).toISOString(),
        groups: this.#lastHeardGroups.get(peer.id) ?? {},
      })),
      groups: [
        ...(election?.groups ?? []).map((g) => this.#groupView(g)),
        ...this.#deps.vrrp.views(),
      ],
      trackers: (this.#deps.trackers?.states() ?? []).map((t) => ({
        name: t.name,
        type: t.type,
        up: t.reading.up,
        detail: t.reading.detail,
      })),
    };
  }

  #wallIso(monotonicMs: number | null): string | null {
    if (monotonicMs === null) return null;
    const wallNow = this.#deps.wallClockMs();
    return new Date(wallNow - (this.#deps.clock.now() - monotonicMs)).toISOString();
  }

  #groupView(status: GroupStatus): GroupView {
    const spec = this.#deps.groups().get(status.name);
    return {
      name: status.name,
      state: status.state,
      priority: status.basePriority,
      effectivePriority: status.effectivePriority,
      epoch: status.epoch,
      master: status.master,
      forced: status.forced,
      interface: spec?.interface ?? '',
      addresses: spec?.vips.map(vipText) ?? [],
      announced: status.state === 'MASTER' && this.#deps.holder.isHeld(status.name),
      lastTransitionAt: this.#wallIso(status.lastTransitionAtMs),
      lastTransitionReason: this.#deps.lastTransitions.of(status.name)?.reason ?? null,
      lastTransitionDetail: this.#deps.lastTransitions.of(status.name)?.detail ?? null,
      track: this.#deps.trackers?.linksOf(status.name) ?? [],
      mode: 'mesh',
      vrrp: null,
    };
  }
}
