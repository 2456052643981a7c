// The vipd configuration the importer writes, key for key as docs/configuration.md spells it
// (snake_case, durations as strings), so what is built here is what the YAML says.

// Optional values may hold undefined while being built; the YAML writer leaves those out.
export interface AnnounceOut {
  repeat?: number | undefined;
  interval?: string | undefined;
  delay?: string | undefined;
  refresh?: string | undefined;
}

/** A group's `vrrp:` mapping (VRRP-CONTRACT.md). */
export interface VrrpOut {
  vrid: number;
  advert_interval: string;
  version: 3;
  unicast_peers?: string[];
  source_address?: string;
}

export interface TrackRefOut {
  tracker: string;
  weight?: number;
}

/** A notify hook called as keepalived calls its `notify` script. */
export interface NotifyOut {
  path: string;
  args?: string[];
  convention: 'keepalived';
}

export interface GroupOut {
  name: string;
  interface: string;
  addresses: string[];
  priority: number;
  preempt?: boolean;
  preempt_delay?: string;
  /** Set after the instances, from vrrp_sync_group; undefined keeps its place in the YAML. */
  sync_group?: string | undefined;
  label?: string;
  track?: TrackRefOut[];
  track_interface?: boolean;
  notify?: NotifyOut[];
  announce?: AnnounceOut;
  vrrp: VrrpOut;
}

export type TrackerOut =
  | { name: string; type: 'interface'; interface: string }
  | {
      name: string;
      type: 'script';
      path: string;
      args?: string[];
      interval?: string | undefined;
      timeout?: string | undefined;
      rise?: number | undefined;
      fall?: number | undefined;
    }
  | { name: string; type: 'file'; path: string };

export interface ImportedConfig {
  node: { id: string };
  announce?: AnnounceOut;
  trackers?: TrackerOut[];
  groups: GroupOut[];
}

/** vipd's name pattern: keepalived names that do not fit are rewritten to fit. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function isVipdName(text: string): boolean {
  return NAME.test(text);
}

/** `VI 1` → `VI-1`: characters vipd names cannot hold become `-`. */
export function toVipdName(text: string): string {
  if (isVipdName(text)) return text;
  const cleaned = text.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (cleaned === '' ? 'x' : cleaned).slice(0, 63);
}
