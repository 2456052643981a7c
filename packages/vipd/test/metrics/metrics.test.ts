import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ElectionStatus } from '@vipd/election';
import type { HeartbeatMeshStats, PeerStatus } from '@vipd/heartbeat';
import { DATAGRAM_REJECT_REASONS, heartbeatDatagrams } from '../../src/metrics/datagram-metrics.js';
import { heartbeatConnectionDrops, VipdMetrics } from '../../src/metrics/metrics.js';
import { findPromtool, promtoolCheckMetrics } from './promtool.js';

const STATUS: ElectionStatus = {
  nodeId: 'n1',
  maintenance: false,
  quorum: { enabled: true, votersHeard: 2, voters: 3, hasQuorum: true },
  peersAlive: ['n2'],
  groups: [
    {
      name: 'web',
      state: 'MASTER',
      basePriority: 150,
      effectivePriority: 130,
      weightedPriority: 130,
      forced: false,
      epoch: 7,
      master: 'n1',
      lastTransitionAtMs: 5,
    },
    {
      name: 'db',
      state: 'BACKUP',
      basePriority: 100,
      effectivePriority: 100,
      weightedPriority: 100,
      forced: false,
      epoch: 2,
      master: 'n2',
      lastTransitionAtMs: 6,
    },
  ],
};

const PEER_DOWN: PeerStatus = {
  id: 'w',
  address: '10.0.0.3:7410',
  up: false,
  rttMs: null,
  jitterMs: null,
  lastHeartbeatAtMs: null,
  incarnation: null,
  lastRttMs: null,
  direction: null,
  path: null,
};

function populated(): VipdMetrics {
  const metrics = new VipdMetrics();
  metrics.setSources({
    election: () => STATUS,
    peers: () => [
      {
        id: 'n2',
        address: '10.0.0.2:7410',
        up: true,
        rttMs: 0.25,
        jitterMs: 0.01,
        lastHeartbeatAtMs: 1_700_000_000_000,
        incarnation: 'a',
        lastRttMs: 0.25,
        direction: 'outbound',
        path: 'both',
      },
      PEER_DOWN,
    ],
    trackers: () => [
      { name: 'uplink', up: false },
      { name: 'never-ran', up: null },
    ],
    ready: () => true,
    heartbeatConnectionsDropped: () => ({
      'admission-total': 1,
      'admission-per-source': 4,
      'preauth-timeout': 2,
      'auth-timeout': 0,
      'tls-handshake': 0,
    }),
  });
  metrics.recordTransition('web', 'BACKUP', 'MASTER', 'master-down');
  metrics.recordRejectedHeartbeat('bad-mac');
  metrics.heartbeatsSent.inc({ peer: 'n2' });
  metrics.heartbeatsReceived.inc({ peer: 'n2' }, 3);
  metrics.garpSent.inc({ interface: 'eth0' }, 5);
  metrics.naSent.inc({ interface: 'eth0' }, 5);
  metrics.addressConflicts.inc({ group: 'web', kind: 'arp-reply' });
  metrics.takeoverDuration.observe({ group: 'web' }, 0.002);
  metrics.apiRejected.inc({ code: 'INVALID_REQUEST' });
  metrics.operatorActions.inc({ action: 'takeover', result: 'ok' });
  metrics.configReloads.inc({ result: 'failure' });
  metrics.notifyRuns.inc({ result: 'ok' });
  return metrics;
}

describe('VipdMetrics', () => {
  it('exports group, peer, quorum and tracker state read at scrape time', async () => {
    const text = await populated().render();
    for (const line of [
      'vipd_group_state{group="web",state="MASTER"} 1',
      'vipd_group_state{group="web",state="BACKUP"} 0',
      'vipd_group_state{group="db",state="BACKUP"} 1',
      'vipd_group_is_master{group="web"} 1',
      'vipd_group_is_master{group="db"} 0',
      'vipd_group_priority{group="web"} 150',
      'vipd_group_effective_priority{group="web"} 130',
      'vipd_group_epoch{group="web"} 7',
      'vipd_quorum 1',
      'vipd_quorum_voters 3',
      'vipd_quorum_voters_heard 2',
      'vipd_peer_up{peer="n2"} 1',
      'vipd_peer_up{peer="w"} 0',
      'vipd_peer_rtt_seconds{peer="n2"} 0.00025',
      'vipd_peer_last_heartbeat_timestamp_seconds{peer="n2"} 1700000000',
      'vipd_tracker_up{tracker="uplink"} 0',
      'vipd_group_transitions_total{group="web",from="BACKUP",to="MASTER",reason="master-down"} 1',
      'vipd_heartbeats_rejected_total{reason="bad-mac"} 1',
      'vipd_heartbeats_received_total{peer="n2"} 3',
      'vipd_gratuitous_arp_sent_total{interface="eth0"} 5',
      'vipd_neighbor_advertisements_sent_total{interface="eth0"} 5',
      'vipd_address_conflicts_total{group="web",kind="arp-reply"} 1',
      'vipd_takeover_duration_seconds_count{group="web"} 1',
      'vipd_ready 1',
    ]) {
      assert.ok(text.includes(`${line}\n`), `missing: ${line}`);
    }
    assert.match(text, /^vipd_build_info\{version="[^"]+",nodejs_version="[^"]+"\} 1$/m);
    assert.match(text, /^process_cpu_seconds_total /m);
    assert.ok(!text.includes('tracker="never-ran"'), 'a tracker with no result yet is absent');
    assert.ok(!text.includes('vipd_peer_rtt_seconds{peer="w"}'), 'no RTT for a peer never heard');
  });

  it('exports the heartbeat datagram path: sent, received by outcome, rejected by reason, paths', async () => {
    const metrics = new VipdMetrics();
    const rejected = Object.fromEntries(DATAGRAM_REJECT_REASONS.map((reason) => [reason, 0]));
    const stats = {
      datagramsSent: 40,
      datagramSendErrors: 1,
      datagramsRefused: 6,
      datagramsReceived: 13,
      datagramsDuplicate: 21,
      datagramsStale: 2,
      datagramsRejected: { ...rejected, 'bad-mac': 3, 'datagram-unknown-source': 4 },
    } as unknown as HeartbeatMeshStats;
    metrics.setSources({
      election: () => null,
      peers: () => [
        { ...PEER_DOWN, id: 'n2', up: true, path: 'datagram' },
        { ...PEER_DOWN, id: 'n3', up: true, path: 'both' },
      ],
      trackers: () => [],
      ready: () => true,
      heartbeatDatagrams: () => heartbeatDatagrams(stats),
    });
    const text = await metrics.render();
    for (const line of [
      'vipd_heartbeat_datagrams_sent_total 40',
      'vipd_heartbeat_datagram_send_errors_total 1',
      'vipd_heartbeat_datagram_probes_refused_total 6',
      'vipd_heartbeat_datagrams_received_total{outcome="delivered"} 13',
      'vipd_heartbeat_datagrams_received_total{outcome="duplicate"} 21',
      'vipd_heartbeat_datagrams_received_total{outcome="stale"} 2',
      'vipd_heartbeat_datagrams_rejected_total{reason="bad-mac"} 3',
      'vipd_heartbeat_datagrams_rejected_total{reason="datagram-unknown-source"} 4',
      'vipd_heartbeat_datagrams_rejected_total{reason="datagram-unknown-incarnation"} 0',
      'vipd_peer_path_up{peer="n2",path="stream"} 0',
      'vipd_peer_path_up{peer="n2",path="datagram"} 1',
      'vipd_peer_path_up{peer="n3",path="stream"} 1',
      'vipd_peer_path_up{peer="n3",path="datagram"} 1',
    ]) {
      assert.ok(text.includes(`${line}\n`), `missing: ${line}`);
    }
  });

  it("exports the heartbeat mesh's dropped connections by reason", async () => {
    const metrics = new VipdMetrics();
    const stats = {
      connectionsDropped: { 'admission-total': 2, 'admission-per-source': 3, 'preauth-timeout': 5 },
      authTimeouts: 7,
      tlsHandshakeFailures: 11,
    } as const satisfies Partial<HeartbeatMeshStats>;
    metrics.setSources({
      election: () => null,
      peers: () => [],
      trackers: () => [],
      ready: () => true,
      heartbeatConnectionsDropped: () => heartbeatConnectionDrops(stats as HeartbeatMeshStats),
    });
    const text = await metrics.render();
    for (const [reason, count] of [
      ['admission-total', 2],
      ['admission-per-source', 3],
      ['preauth-timeout', 5],
      ['auth-timeout', 7],
      ['tls-handshake', 11],
    ] as const) {
      const line = `vipd_heartbeat_connections_dropped_total{reason="${reason}"} ${count}\n`;
      assert.ok(text.includes(line), `missing: ${line}`);
    }
  });

  it('keeps each instance on its own registry', async () => {
    const a = new VipdMetrics();
    const b = new VipdMetrics();
    a.heartbeatsSent.inc({ peer: 'n2' });
    assert.match(await a.render(), /vipd_heartbeats_sent_total\{peer="n2"\} 1/);
    assert.doesNotMatch(await b.render(), /vipd_heartbeats_sent_total\{peer="n2"\}/);
  });

  it('drops label sets of groups that no longer exist (after a reload)', async () => {
    let groups = STATUS.groups;
    const metrics = new VipdMetrics();
    metrics.setSources({
      election: () => ({ ...STATUS, groups }),
      peers: () => [],
      trackers: () => [],
      ready: () => true,
    });
    assert.match(await metrics.render(), /group="db"/);
    groups = STATUS.groups.filter((g) => g.name !== 'db');
    assert.doesNotMatch(await metrics.render(), /vipd_group_state\{group="db"/);
  });

  const promtool = findPromtool();
  it(
    'passes `promtool check metrics`',
    { skip: promtool === null ? 'promtool not installed (apt-get install prometheus)' : false },
    async () => {
      const result = promtoolCheckMetrics(promtool!, await populated().render());
      assert.ok(result.ok, result.output);
      assert.equal(result.output, '');
    },
  );
});
