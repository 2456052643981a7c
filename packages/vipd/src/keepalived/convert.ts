// A parsed keepalived.conf as a vipd config: global_defs for the node and the announce
// defaults, vrrp_script / track_file for trackers, vrrp_instance for groups, vrrp_sync_group
// for their sync_group. Pure: it reads no file and writes none (the command does both).

import { applyAnnounce, announceOrUndefined } from './announce.js';
import type { CommandResolver } from './command-line.js';
import type { Directive } from './directive.js';
import { convertInstance, type ConvertedInstance } from './instance.js';
import { ConversionNotes, type ConversionNote } from './notes.js';
import type { WrittenScript } from './notify.js';
import { toVipdName, type AnnounceOut, type ImportedConfig } from './output.js';
import type { KeepalivedConfig } from './parse.js';
import { TrackerRegistry } from './trackers.js';
import { integerArg } from './values.js';

export interface ConvertOptions {
  /** node.id when global_defs has no router_id (keepalived's default too). */
  readonly hostname: string;
  /** Where per-group notify dispatchers go; without it per-state notify scripts are noted. */
  readonly notifyDir?: string;
  readonly resolveCommand: CommandResolver;
}

export interface Conversion {
  readonly config: ImportedConfig;
  /** Comment above each group, in the order of config.groups. */
  readonly groupComments: readonly string[];
  readonly notes: readonly ConversionNote[];
  readonly scripts: readonly WrittenScript[];
}

const TOP_LEVEL_UNCONVERTED: Readonly<Record<string, string>> = {
  virtual_server: 'vipd does not do IPVS',
  virtual_server_group: 'vipd does not do IPVS',
  static_ipaddress: 'vipd manages only the addresses of its groups',
  static_routes: 'vipd manages only the addresses of its groups',
  static_rules: 'vipd manages only the addresses of its groups',
  vrrp_track_process: 'vipd has no process tracker: a script tracker running pidof does the same',
  bfd_instance: 'vipd has no BFD',
  linkbeat_interfaces: 'vipd reads carrier from netlink for every interface',
};

const GLOBAL_UNCONVERTED: Readonly<Record<string, string>> = {
  notification_email: 'vipd sends no mail: alert on its metrics, or from a notify hook',
  notification_email_from: 'vipd sends no mail',
  smtp_server: 'vipd sends no mail',
  smtp_connect_timeout: 'vipd sends no mail',
  enable_script_security:
    'vipd always refuses scripts other users can change (SCRIPT_UNSAFE), unless node.allow_unsafe_scripts',
  script_user: 'vipd runs scripts as its own user',
};

/** global_tracking is the older name of sync_group_tracking_weight. */
const KEEP_WEIGHTS = new Set(['sync_group_tracking_weight', 'global_tracking']);

const SYNC_GROUP_UNCONVERTED =
  'vipd sync groups have no hooks or trackers of their own: put them on each member group';

interface Globals {
  routerId?: Directive;
  version: number;
  announce: AnnounceOut;
}

function readGlobalDefs(
  block: readonly Directive[],
  globals: Globals,
  notes: ConversionNotes,
): void {
  for (const directive of block) {
    if (directive.keyword === 'router_id' && directive.args[0] !== undefined) {
      globals.routerId = directive;
    } else if (directive.keyword === 'vrrp_version') {
      globals.version = integerArg(directive, notes, 2, 3) ?? globals.version;
    } else if (!applyAnnounce(directive, globals.announce, notes)) {
      notes.notConverted(
        directive,
        GLOBAL_UNCONVERTED[directive.keyword] ?? 'vipd has no equivalent',
      );
    }
  }
}

function nodeId(globals: Globals, options: ConvertOptions, notes: ConversionNotes): string {
  const source = globals.routerId?.args[0] ?? options.hostname;
  const id = toVipdName(source);
  if (id !== source && globals.routerId !== undefined)
    notes.changed(globals.routerId, `node.id is ${id} (letters, digits, _ . - only)`);
  return id;
}

/**
 * keepalived ignores the weights of a sync group member's trackers ("ignoring … weight due to
 * SYNC group") unless the sync group sets sync_group_tracking_weight: each one puts the group in
 * FAULT instead. The converted group does the same.
 */
function dropMemberWeights(
  syncGroup: Directive,
  instance: ConvertedInstance,
  notes: ConversionNotes,
): void {
  const weighted = instance.group.track?.filter((ref) => ref.weight !== undefined) ?? [];
  if (weighted.length === 0) return;
  for (const ref of weighted) delete ref.weight;
  notes.changed(
    syncGroup,
    `keepalived ignores the tracking weights of member ${instance.keepalivedName} (no sync_group_tracking_weight), so ${weighted.map((r) => r.tracker).join(', ')} put it in FAULT instead, in vipd too`,
  );
}

function applySyncGroups(
  syncGroups: readonly Directive[],
  converted: ReadonlyMap<string, ConvertedInstance>,
  notes: ConversionNotes,
): void {
  for (const syncGroup of syncGroups) {
    const name = toVipdName(syncGroup.args[0] ?? 'sync');
    const keepWeights = syncGroup.block?.some((d) => KEEP_WEIGHTS.has(d.keyword)) ?? false;
    for (const directive of syncGroup.block ?? []) {
      if (KEEP_WEIGHTS.has(directive.keyword)) continue;
      if (directive.keyword !== 'group') {
        notes.notConverted(directive, SYNC_GROUP_UNCONVERTED);
        continue;
      }
      // keepalived reads the member list as words, however they are spread over lines.
      for (const member of directive.block ?? []) {
        for (const instanceName of [member.keyword, ...member.args]) {
          const instance = converted.get(instanceName);
          if (instance === undefined)
            notes.notConverted(
              { ...member, keyword: instanceName },
              `member of ${syncGroup.args[0] ?? ''}, but no vrrp_instance of that name was converted`,
            );
          else {
            instance.group.sync_group = name;
            if (!keepWeights) dropMemberWeights(syncGroup, instance, notes);
          }
        }
      }
    }
  }
}

export function convertKeepalived(parsed: KeepalivedConfig, options: ConvertOptions): Conversion {
  const notes = new ConversionNotes();
  const trackers = new TrackerRegistry(notes, options.resolveCommand);
  const globals: Globals = { version: 2, announce: {} };
  const instances: Directive[] = [];
  const syncGroups: Directive[] = [];
  for (const directive of parsed.directives) {
    switch (directive.keyword) {
      case 'global_defs':
        readGlobalDefs(directive.block ?? [], globals, notes);
        break;
      case 'vrrp_script':
      case 'track_file':
      case 'vrrp_track_file':
        trackers.define(directive);
        break;
      case 'vrrp_instance':
        instances.push(directive);
        break;
      case 'vrrp_sync_group':
        syncGroups.push(directive);
        break;
      default:
        notes.notConverted(
          directive,
          TOP_LEVEL_UNCONVERTED[directive.keyword] ?? 'vipd has no equivalent',
        );
    }
  }
  const converted = new Map<string, ConvertedInstance>();
  const context = {
    notes,
    trackers,
    resolveCommand: options.resolveCommand,
    notifyDir: options.notifyDir,
    defaultVersion: globals.version,
  };
  for (const instance of instances) {
    const name = instance.args[0] ?? '';
    if (converted.has(name)) {
      notes.notConverted(instance, `a vrrp_instance named ${name} was converted already`);
      continue;
    }
    const result = convertInstance(instance, context);
    if (result !== null) converted.set(name, result);
  }
  applySyncGroups(syncGroups, converted, notes);
  trackers.noteUnused();
  const groups = [...converted.values()];
  const announce = announceOrUndefined(globals.announce);
  const trackerList = trackers.list();
  return {
    config: {
      node: { id: nodeId(globals, options, notes) },
      ...(announce === undefined ? {} : { announce }),
      ...(trackerList.length === 0 ? {} : { trackers: trackerList }),
      groups: groups.map((g) => g.group),
    },
    groupComments: groups.map((g) => g.comment),
    notes: notes.list(parsed.files),
    scripts: groups.flatMap((g) => (g.notifyFile === undefined ? [] : [g.notifyFile])),
  };
}
