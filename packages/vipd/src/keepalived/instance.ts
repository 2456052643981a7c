// One vrrp_instance as one vipd group decided by VRRPv3 (`vrrp:`), so the converted node can
// stand in for a keepalived node of a running pair: same VRID, priority, interval and address
// list on the wire. Every directive of the instance ends up in the group, in a note, or both.

import { isIP } from 'node:net';
import { applyAnnounce, announceOrUndefined } from './announce.js';
import { convertVirtualAddresses } from './addresses.js';
import type { CommandResolver } from './command-line.js';
import type { Directive } from './directive.js';
import { directiveName, type ConversionNotes } from './notes.js';
import { NOTIFY_KEYWORDS, NotifyConversion, type WrittenScript } from './notify.js';
import {
  toVipdName,
  type AnnounceOut,
  type GroupOut,
  type NotifyOut,
  type TrackRefOut,
} from './output.js';
import type { TrackerRegistry } from './trackers.js';
import { integerArg, secondsArg } from './values.js';

export interface InstanceContext {
  readonly notes: ConversionNotes;
  readonly trackers: TrackerRegistry;
  readonly resolveCommand: CommandResolver;
  readonly notifyDir: string | undefined;
  /** global_defs `vrrp_version`; keepalived's default is 2. */
  readonly defaultVersion: number;
}

export interface ConvertedInstance {
  readonly keepalivedName: string;
  readonly group: GroupOut;
  /** Where the group came from, written above it in the YAML. */
  readonly comment: string;
  readonly notifyFile?: WrittenScript;
}

/** Directives vipd has no place for, with why; anything not here and not handled is "no equivalent". */
const UNCONVERTED: Readonly<Record<string, string>> = {
  authentication:
    'VRRPv3 has no authentication (RFC 5798 §9); keepalived ignores it with version 3 too',
  virtual_ipaddress_excluded:
    'vipd advertises every address of a group; keep these addresses in another group or on the host',
  smtp_alert: 'vipd sends no mail: alert on its metrics, or from a notify hook',
  use_vmac:
    "vipd adds no VMAC interface: it answers from the interface's own MAC and announces it by gratuitous ARP",
  vmac_xmit_base: 'vipd adds no VMAC interface',
  virtual_routes: 'vipd moves addresses, not routes: add them from a notify hook',
  virtual_rules: 'vipd moves addresses, not routing rules: add them from a notify hook',
  lvs_sync_daemon_interface: 'vipd does not do IPVS',
  track_process: 'vipd has no process tracker: a script tracker running pidof does the same',
  track_bfd: 'vipd has no BFD',
  track_src_ip: 'vipd has no equivalent',
  kernel_rx_buf_size: 'vipd sizes its own socket buffers',
};

const ADVERT_INTERVAL = { minMs: 10, maxMs: 40_950, stepMs: 10 } as const;
const PREEMPT_DELAY = { minMs: 0, maxMs: 3_600_000, stepMs: 1 } as const;

interface InstanceDraft {
  vrid?: number | undefined;
  priority: number;
  advertInterval: string;
  version?: number | undefined;
  versionAt?: Directive;
  preempt?: false;
  preemptAt?: Directive;
  preemptDelay?: string | undefined;
  preemptDelayAt?: Directive;
  state?: string;
  addresses: string[];
  family: 4 | 6 | null;
  label?: string;
  unicastPeers: string[];
  sourceAddress?: string;
  track: TrackRefOut[];
  trackInterface?: false;
  announce: AnnounceOut;
}

type Handler = (directive: Directive, draft: InstanceDraft) => void;

class InstanceConversion {
  readonly draft: InstanceDraft = {
    priority: 100,
    advertInterval: '1s',
    addresses: [],
    family: null,
    unicastPeers: [],
    track: [],
    announce: {},
  };
  readonly notify: NotifyConversion;
  readonly #handlers: Readonly<Record<string, Handler>>;

  constructor(
    readonly context: InstanceContext,
    readonly groupName: string,
    readonly iface: string,
  ) {
    this.notify = new NotifyConversion(
      groupName,
      context.notes,
      context.resolveCommand,
      context.notifyDir,
    );
    const notes = context.notes;
    this.#handlers = {
      interface: () => undefined,
      virtual_router_id: (d, draft) => {
        draft.vrid = integerArg(d, notes, 1, 255) ?? draft.vrid;
      },
      priority: (d, draft) => {
        draft.priority = integerArg(d, notes, 1, 255) ?? draft.priority;
      },
      advert_int: (d, draft) => {
        draft.advertInterval = secondsArg(d, notes, ADVERT_INTERVAL) ?? draft.advertInterval;
      },
      version: (d, draft) => {
        draft.version = integerArg(d, notes, 2, 3) ?? draft.version;
        draft.versionAt = d;
      },
      nopreempt: (d, draft) => {
        draft.preempt = false;
        draft.preemptAt = d;
      },
      preempt_delay: (d, draft) => {
        draft.preemptDelay = secondsArg(d, notes, PREEMPT_DELAY) ?? draft.preemptDelay;
        draft.preemptDelayAt = d;
      },
      state: (d, draft) => {
        draft.state = d.args[0]?.toUpperCase() ?? '';
        if (draft.state === 'MASTER')
          notes.changed(
            { ...d, keyword: 'state MASTER' },
            'vipd starts every group as BACKUP and lets the priority decide (keepalived, too, gives up MASTER to a higher priority)',
          );
      },
      native_ipv6: () => undefined,
      dont_track_primary: (_d, draft) => {
        draft.trackInterface = false;
      },
      virtual_ipaddress: (d, draft) => {
        const converted = convertVirtualAddresses(d.block ?? [], this.iface, notes);
        draft.addresses.push(...converted.addresses);
        draft.family ??= converted.family;
        if (converted.label !== undefined) draft.label = converted.label;
      },
      unicast_src_ip: (d, draft) => {
        this.#sourceAddress(d, draft);
      },
      mcast_src_ip: (d, draft) => {
        this.#sourceAddress(d, draft);
      },
      unicast_peer: (d, draft) => {
        for (const peer of d.block ?? []) {
          if (isIP(peer.keyword) === 0) notes.notConverted(peer, 'not an IP address');
          else draft.unicastPeers.push(peer.keyword);
          if (peer.args.length > 0)
            notes.notConverted(peer, `vipd has no per-peer options (${peer.args.join(' ')})`);
        }
      },
      track_interface: (d, draft) => {
        for (const entry of d.block ?? []) {
          // The group tracks its own interface already (FAULT while down); keepalived ignores
          // the line, weight and all ("Ignoring track_interface … since own interface").
          if (entry.keyword === this.iface) {
            if (entry.args.length > 0)
              notes.notConverted(
                entry,
                'keepalived ignores its own interface here, weight and all',
              );
            continue;
          }
          const ref = context.trackers.interfaceRef(entry);
          if (ref !== null) draft.track.push(ref);
        }
      },
      track_script: (d, draft) => {
        this.#trackBlock(d, draft, (e) => context.trackers.scriptRef(e));
      },
      track_file: (d, draft) => {
        this.#trackBlock(d, draft, (e) => context.trackers.fileRef(e));
      },
    };
  }

  apply(directive: Directive): void {
    const handler = this.#handlers[directive.keyword];
    if (handler !== undefined) handler(directive, this.draft);
    else if (NOTIFY_KEYWORDS.has(directive.keyword)) this.notify.add(directive);
    else if (!applyAnnounce(directive, this.draft.announce, this.context.notes))
      this.context.notes.notConverted(
        directive,
        UNCONVERTED[directive.keyword] ?? 'vipd has no equivalent',
      );
  }

  #sourceAddress(directive: Directive, draft: InstanceDraft): void {
    const address = directive.args[0] ?? '';
    if (isIP(address) === 0) this.context.notes.notConverted(directive, 'not an IP address');
    else draft.sourceAddress = address;
  }

  #trackBlock(
    directive: Directive,
    draft: InstanceDraft,
    ref: (entry: Directive) => TrackRefOut | null,
  ): void {
    for (const entry of directive.block ?? []) {
      const converted = ref(entry);
      if (converted !== null) draft.track.push(converted);
    }
  }
}

interface Essentials {
  readonly iface: string;
  readonly vrid: number;
}

/** The interface and VRID a group cannot do without, or why the instance is left out. */
function required(
  instance: Directive,
  iface: string | undefined,
  draft: InstanceDraft,
): Essentials | string {
  if (instance.block === undefined) return 'it has no { } block';
  if (iface === undefined) return 'it has no interface';
  if (draft.vrid === undefined) return 'it has no valid virtual_router_id';
  if (draft.addresses.length === 0)
    return 'no virtual_ipaddress could be converted, and a vipd group needs one';
  return { iface, vrid: draft.vrid };
}

/**
 * keepalived clears nopreempt and preempt_delay on an instance whose initial state is MASTER
 * ("nopreempt will not work with initial state MASTER - clearing"), and preempt_delay under
 * nopreempt ("incompatible with nopreempt mode - resetting"). The running pair behaves as
 * cleared, so the converted group must too.
 */
function applyPreemptRules(draft: InstanceDraft, notes: ConversionNotes): void {
  const clear = (at: Directive | undefined, reason: string) => {
    if (at !== undefined) notes.notConverted(at, reason);
  };
  if (draft.state === 'MASTER') {
    const reason =
      'keepalived clears it on an instance with state MASTER, so the pair preempts, and vipd too';
    clear(draft.preemptAt, reason);
    clear(draft.preemptDelayAt, reason);
    delete draft.preempt;
    delete draft.preemptDelay;
  } else if (draft.preempt === false && draft.preemptDelay !== undefined) {
    clear(
      draft.preemptDelayAt,
      'keepalived resets it under nopreempt, and vipd has no use for it there',
    );
    delete draft.preemptDelay;
  }
}

/** keepalived runs an address owner (priority 255) at 255 whatever its trackers say. */
function dropOwnerWeights(instance: Directive, draft: InstanceDraft, notes: ConversionNotes): void {
  const weighted = draft.track.filter((ref) => ref.weight !== undefined);
  if (draft.priority !== 255 || weighted.length === 0) return;
  for (const ref of weighted) delete ref.weight;
  notes.changed(
    instance,
    `keepalived ignores tracking weights of an address owner (priority 255), so ${weighted.map((r) => r.tracker).join(', ')} put it in FAULT instead, in vipd too`,
  );
}

function noteVersion(instance: Directive, draft: InstanceDraft, context: InstanceContext): void {
  const version = draft.version ?? context.defaultVersion;
  // keepalived runs IPv6 instances as version 3 whatever the setting.
  if (version === 3 || draft.family === 6) return;
  context.notes.changed(
    draft.versionAt ?? instance,
    "keepalived speaks VRRPv2 here (its default); vipd speaks VRRPv3 only, so it cannot pair with this keepalived until both keepalived nodes run 'vrrp_version 3' (docs/migrating-from-keepalived.md, step 1)",
  );
}

function buildGroup(
  name: string,
  { iface, vrid }: Essentials,
  draft: InstanceDraft,
  notifyScripts: NotifyOut[],
): GroupOut {
  const announce = announceOrUndefined(draft.announce);
  return {
    name,
    interface: iface,
    addresses: draft.addresses,
    priority: draft.priority,
    ...(draft.preempt === false ? { preempt: false } : {}),
    ...(draft.preemptDelay === undefined ? {} : { preempt_delay: draft.preemptDelay }),
    sync_group: undefined,
    ...(draft.label === undefined ? {} : { label: draft.label }),
    ...(draft.track.length === 0 ? {} : { track: draft.track }),
    ...(draft.trackInterface === false ? { track_interface: false } : {}),
    ...(notifyScripts.length === 0 ? {} : { notify: notifyScripts }),
    ...(announce === undefined ? {} : { announce }),
    vrrp: {
      vrid,
      advert_interval: draft.advertInterval,
      version: 3,
      ...(draft.unicastPeers.length === 0 ? {} : { unicast_peers: draft.unicastPeers }),
      ...(draft.sourceAddress === undefined ? {} : { source_address: draft.sourceAddress }),
    },
  };
}

export function convertInstance(
  instance: Directive,
  context: InstanceContext,
): ConvertedInstance | null {
  const keepalivedName = instance.args[0] ?? '';
  const name = toVipdName(keepalivedName);
  if (name !== keepalivedName)
    context.notes.changed(instance, `named ${name} in vipd (letters, digits, _ . - only)`);
  const block = instance.block ?? [];
  const iface = block.find((d) => d.keyword === 'interface')?.args[0];
  const conversion = new InstanceConversion(context, name, iface ?? '');
  for (const directive of block) conversion.apply(directive);
  const draft = conversion.draft;
  const checked = required(instance, iface, draft);
  if (typeof checked === 'string') {
    context.notes.notConverted(instance, checked);
    return null;
  }
  applyPreemptRules(draft, context.notes);
  dropOwnerWeights(instance, draft, context.notes);
  noteVersion(instance, draft, context);
  const notify = conversion.notify.finish(instance);
  const state =
    draft.state === undefined
      ? ''
      : `; keepalived state ${draft.state}${draft.state === 'MASTER' ? ' (vipd starts as BACKUP; the priority decides)' : ''}`;
  return {
    keepalivedName,
    group: buildGroup(name, checked, draft, notify.scripts),
    comment: ` from ${instance.at.file}:${instance.at.line} ${directiveName(instance)}${state}`,
    ...(notify.file === undefined ? {} : { notifyFile: notify.file }),
  };
}
