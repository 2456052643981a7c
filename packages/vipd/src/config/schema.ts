// The configuration schema: the single source of truth for what a vipd config file may say.
// The validator (ajv) enforces it, docs/configuration.md is generated from it
// (`npm run docs:config`), its defaults are the daemon's defaults, and the TypeScript type of
// a validated file (ConfigFile) is derived from it with TypeBox, so the two cannot drift.
//
// Besides standard JSON Schema it uses three vipd keywords, registered in validate.ts:
//   format: "vip" | "listen-address" | "peer-address" | "interface-name" | "http-url" |
//           "host-name" | "webhook-url"
//   durationRange: { min, max }   bounds for a duration string ("100ms", "2s", "1m")
//   envOverride: "NAME"          an environment variable that replaces the value (secrets)

import Type, { type Static } from 'typebox';
import { EVENT_KINDS } from '../events/types.js';
import { REALSERVER_SCHEMA } from '../realserver/config.js';
import { DURATION_PATTERN } from './duration.js';
import { asJsonSchema, defaulted, oneOfStrings, tag } from './schema-kit.js';

function duration(description: string, range: { min: string; max: string }, def?: string) {
  return Type.String({
    pattern: DURATION_PATTERN,
    durationRange: range,
    description,
    ...(def === undefined ? {} : { default: def }),
  });
}

const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$';

const name = (description: string) => Type.String({ pattern: NAME_PATTERN, description });

const path = (description: string) => Type.String({ minLength: 1, description });

const ANNOUNCE_DESCRIPTION =
  'How a new master announces its VIPs: gratuitous ARP for IPv4, unsolicited neighbour ' +
  'advertisements for IPv6. A burst goes out at once, a second burst after `delay`, ' +
  'then one frame per VIP every `refresh` while master.';

const announceRepeat = (def?: number) =>
  Type.Integer({
    minimum: 1,
    maximum: 100,
    description: 'Frames per VIP in each burst (keepalived `garp_master_repeat`).',
    ...(def === undefined ? {} : { default: def }),
  });
const announceInterval = (def?: string) =>
  duration('Gap between the frames of one burst.', { min: '0ms', max: '10s' }, def);
const announceDelay = (def?: string) =>
  duration(
    'When the second burst starts after the first (keepalived `garp_master_delay`); ' +
      '`0s` disables the second burst.',
    { min: '0ms', max: '1h' },
    def,
  );
const announceRefresh = (def?: string) =>
  duration(
    'Periodic re-announcement while master (keepalived `garp_master_refresh`); `0s` = off, ' +
      'otherwise at least 100ms.',
    { min: '0ms', max: '24h' },
    def,
  );
const announceMode = (def?: string) =>
  oneOfStrings(['request', 'reply', 'both'], {
    description:
      'Gratuitous ARP as a request, a reply, or both (some switches only learn from ' +
      'one kind). IPv6 always sends neighbour advertisements.',
    ...(def === undefined ? {} : { default: def }),
  });

/** The top-level announce keys: every one has a default. */
const announceDefaults = Type.Object(
  {
    repeat: defaulted(announceRepeat(5)),
    interval: defaulted(announceInterval('10ms')),
    delay: defaulted(announceDelay('5s')),
    refresh: defaulted(announceRefresh('0s')),
    mode: defaulted(announceMode('request')),
  },
  { additionalProperties: false, description: ANNOUNCE_DESCRIPTION, default: {} },
);

/** A group's announce keys override the top-level ones; unset keys inherit. */
const announceOverrides = Type.Object(
  {
    repeat: Type.Optional(announceRepeat()),
    interval: Type.Optional(announceInterval()),
    delay: Type.Optional(announceDelay()),
    refresh: Type.Optional(announceRefresh()),
    mode: Type.Optional(announceMode()),
  },
  {
    additionalProperties: false,
    description: 'Overrides the top-level `announce` settings for this group; unset keys inherit.',
  },
);

const trackerName = name('Unique name; groups refer to it under `track`.');
const trackerInterval = defaulted(
  duration('How often to check.', { min: '10ms', max: '1h' }, '1s'),
);

const trackerCommon = {
  name: trackerName,
  interval: trackerInterval,
  rise: defaulted(
    Type.Integer({
      minimum: 1,
      maximum: 100,
      default: 1,
      description: 'Consecutive successes before a failed tracker counts as up again.',
    }),
  ),
  fall: defaulted(
    Type.Integer({
      minimum: 1,
      maximum: 100,
      default: 1,
      description: 'Consecutive failures before a healthy tracker counts as down.',
    }),
  ),
};

const trackerTimeout = defaulted(
  duration(
    'How long one check may take before it counts as a failure.',
    { min: '1ms', max: '10m' },
    '1s',
  ),
);

const trackerVariants = [
  Type.Object(
    {
      ...trackerCommon,
      type: tag('interface'),
      interface: Type.String({ format: 'interface-name', description: 'Interface name.' }),
    },
    {
      title: 'interface',
      description:
        'Link state of a network interface: up when it is administratively up and has carrier.',
      additionalProperties: false,
    },
  ),
  Type.Object(
    {
      ...trackerCommon,
      type: tag('http'),
      url: Type.String({ format: 'http-url', description: 'http:// or https:// URL.' }),
      expect_status: defaulted(
        Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), {
          minItems: 1,
          uniqueItems: true,
          default: [200],
          description: 'Statuses that count as healthy.',
        }),
      ),
      tls_verify: defaulted(
        Type.Boolean({
          default: true,
          description: 'Verify the server certificate for https:// URLs.',
        }),
      ),
      ca_file: Type.Optional(
        path(
          'PEM file of the CA certificate(s) that signed the server certificate of an ' +
            'https:// URL (an internal CA), used instead of the system store. Read at every ' +
            'check, so a renewed CA needs no reload.',
        ),
      ),
      timeout: trackerTimeout,
    },
    {
      title: 'http',
      description: 'HTTP(S) GET; up when the answer has one of the expected statuses.',
      additionalProperties: false,
    },
  ),
  Type.Object(
    {
      ...trackerCommon,
      type: tag('tcp'),
      address: Type.String({
        format: 'peer-address',
        description: 'host:port ([v6]:port for IPv6).',
      }),
      timeout: trackerTimeout,
    },
    {
      title: 'tcp',
      description: 'TCP connect; up when the connection is accepted within the timeout.',
      additionalProperties: false,
    },
  ),
  Type.Object(
    {
      ...trackerCommon,
      type: tag('bird'),
      socket: defaulted(
        Type.String({
          pattern: '^/',
          default: '/run/bird/bird.ctl',
          description: "BIRD's control socket (`bird -s`; what birdc talks to).",
        }),
      ),
      protocol: Type.String({
        pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$',
        description: 'Name of the BIRD protocol (the BGP session) that must be up.',
      }),
      timeout: trackerTimeout,
    },
    {
      title: 'bird',
      description:
        "Up while BIRD's protocol `protocol` is up and, for BGP, Established (`show protocols` " +
        'on the control socket): a routed group whose node cannot announce should not be master.',
      additionalProperties: false,
    },
  ),
  Type.Object(
    {
      ...trackerCommon,
      type: tag('script'),
      path: path('Executable to run; relative paths resolve against the config file.'),
      args: defaulted(Type.Array(Type.String(), { default: [], description: 'Arguments.' })),
      timeout: trackerTimeout,
    },
    {
      title: 'script',
      description:
        'Runs a program (no shell); up when it exits 0 within the timeout. A program that ' +
        'overruns is killed.',
      additionalProperties: false,
    },
  ),
  Type.Object(
    {
      name: trackerName,
      interval: trackerInterval,
      type: tag('file'),
      path: path('File to read; relative paths resolve against the config file.'),
    },
    {
      title: 'file',
      description:
        'A file holding an integer (keepalived `track_file`). The group adds value × weight ' +
        'to its priority; with weight 0 any non-zero value means FAULT. A missing file reads ' +
        'as 0; unreadable or non-numeric content counts as down.',
      additionalProperties: false,
    },
  ),
] as const;

/** One tracker as a validated file has it, by `type`. */
export type TrackerFile = Static<(typeof trackerVariants)[number]>;

// ajv picks the branch by `type` (discriminator), so a bad tracker gets the errors of its own
// kind rather than of all five; TypeBox's Union would say anyOf, hence Unsafe around oneOf.
const trackerSchema = Type.Unsafe<TrackerFile>({
  type: 'object',
  description:
    'A health check. Its result reaches every group that lists it under `track`: a ' +
    'negative `weight` lowers the priority while it is down, a positive one raises it while ' +
    'it is up, weight 0 puts the group in FAULT while it is down.',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: [...trackerVariants],
});

const NOTIFY_ENV =
  'VIPD_GROUP, VIPD_OLD_STATE, VIPD_NEW_STATE, VIPD_EPOCH, VIPD_REASON, VIPD_NODE, ' +
  'VIPD_INTERFACE, VIPD_ADDRESSES (space-separated address/prefix), VIPD_MASTER (the master ' +
  'after the change, empty if none is known) and VIPD_PRIORITY';

const NOTIFY_SCRIPT_DESCRIPTION =
  `Executable run on every state change, as \`PATH INSTANCE <group> <state>\`, with ${NOTIFY_ENV} ` +
  'in its environment; relative paths resolve against the config file. Or a mapping: ' +
  "arguments of its own, keepalived's calling convention.";

const notifyPath = Type.String({ minLength: 1, description: NOTIFY_SCRIPT_DESCRIPTION });

/** The arguments vipd appends to a hook's own: its default, or keepalived's `notify` ones. */
export const NOTIFY_CONVENTIONS = ['vipd', 'keepalived'] as const;

const notifyHook = Type.Object(
  {
    path: path('Executable to run; relative paths resolve against the config file.'),
    // No `default`s here: ajv fills none in below an anyOf; normalise.ts supplies them.
    args: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'Arguments of its own, passed first (keepalived: `notify "/path/script VG_1"`). ' +
          'Default none.',
      }),
    ),
    convention: Type.Optional(
      oneOfStrings(NOTIFY_CONVENTIONS, {
        description:
          'The arguments appended after `args` (default `vipd`). `vipd`: `INSTANCE <group> <state>` on every ' +
          'state change, state being any of MASTER, BACKUP, FAULT, MAINTENANCE, INIT. ' +
          '`keepalived`: `INSTANCE <group> <MASTER|BACKUP|FAULT|STOP> <priority>`, exactly what ' +
          "keepalived's `notify` script gets: MAINTENANCE counts as BACKUP, a change that keeps " +
          'the keepalived state (or enters INIT) runs nothing, STOP comes when vipd stops, and ' +
          `the priority is the group's current one. The environment is the same in both: ${NOTIFY_ENV}.`,
      }),
    ),
  },
  {
    additionalProperties: false,
    description: "A notify hook with arguments of its own or keepalived's calling convention.",
  },
);

// A path alone, or a mapping for arguments and the convention. ajv's errors for the two
// branches are folded into one in validate.ts.
const notifyScript = Type.Union([notifyPath, notifyHook], {
  description: NOTIFY_SCRIPT_DESCRIPTION,
});

const ipAddress = (description: string) =>
  Type.Unsafe<string>({
    anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }],
    type: 'string',
    description,
  });

/** RFC 5798 §5.2.7: Max Adver Int is 12 bits of centiseconds, 10ms-40.95s. */
const vrrpSchema = Type.Object(
  {
    vrid: Type.Integer({
      minimum: 1,
      maximum: 255,
      description:
        'Virtual router id (keepalived `virtual_router_id`), the same on every router of the ' +
        'group; unique per interface and address family.',
    }),
    advert_interval: defaulted(
      duration(
        'How often the master advertises (keepalived `advert_int`); a multiple of 10ms. ' +
          'Backups declare it dead after 3 intervals plus the skew time.',
        { min: '10ms', max: '40950ms' },
        '1s',
      ),
    ),
    version: defaulted(
      Type.Integer({
        default: 3,
        description: 'VRRP version; only 3 (RFC 5798) is spoken. A VRRPv2 peer is refused.',
      }),
    ),
    unicast_peers: Type.Optional(
      Type.Array(ipAddress('Address of another router of the group.'), {
        minItems: 1,
        uniqueItems: true,
        description:
          'Send adverts to these addresses instead of the multicast group (224.0.0.18 / ' +
          'ff02::12) and accept adverts only from them (keepalived `unicast_peer`).',
      }),
    ),
    source_address: Type.Optional(
      ipAddress(
        "Source of every advert (the RFC's primary address). Default: the interface's first " +
          'address of the family (IPv6: its link-local address).',
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Decide this group by VRRPv3 (RFC 5798) on the wire instead of the vipd mesh: pairs with ' +
      'keepalived and hardware routers. All VIPs of a VRRP group are of one address family.',
  },
);

/** Linux's reserved tables: default, main and local (rt_tables(5)). */
export const RESERVED_ROUTE_TABLES = [253, 254, 255] as const;
export const DEFAULT_ROUTED_TABLE = 250;

const routedSchema = Type.Object(
  {
    table: defaulted(
      Type.Integer({
        minimum: 1,
        maximum: 4294967295,
        default: DEFAULT_ROUTED_TABLE,
        description:
          'Kernel routing table the VIP routes go into: a spare one no routing rule uses, that ' +
          "BIRD's kernel protocol learns from (`kernel table 250; learn;`). Not 253-255 " +
          '(default, main, local).',
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Announce this group by route instead of ARP: the master puts each VIP on `lo` (a ' +
      "/32 or /128, no ARP or NA) and a route to it into `table`, marked as vipd's (protocol " +
      '241) with metric 2^32-1-epoch, for BIRD to export over BGP with `bgp_med = krt_metric`. ' +
      'No `interface` and no `vrrp` (docs/routed.md).',
  },
);

const groupSchema = Type.Object(
  {
    name: name('Unique group name, the same on every node.'),
    interface: Type.Optional(
      Type.String({
        format: 'interface-name',
        description:
          'Interface the VIPs are added to and announced on. Required, except in a `routed` ' +
          'group, which puts its VIPs on `lo` and refuses this key.',
      }),
    ),
    addresses: Type.Array(
      Type.String({
        format: 'vip',
        description: 'IPv4 or IPv6 address with optional prefix length (default /32 or /128).',
      }),
      { minItems: 1, maxItems: 64, description: 'The VIPs, IPv4 and IPv6 mixed as needed.' },
    ),
    priority: defaulted(
      Type.Integer({
        minimum: 1,
        maximum: 255,
        default: 100,
        description:
          'Base priority 1-254; the highest live node is master. 255 marks the address owner, ' +
          'which takes over at once.',
      }),
    ),
    preempt: defaulted(
      Type.Boolean({
        default: true,
        description:
          'Take over from a live master of lower priority (false = keepalived `nopreempt`).',
      }),
    ),
    preempt_delay: defaulted(
      duration(
        'How long this node waits, once it could preempt, before it does.',
        { min: '0ms', max: '1h' },
        '0s',
      ),
    ),
    sync_group: Type.Optional(
      name('Groups with the same sync group fail over together (keepalived `vrrp_sync_group`).'),
    ),
    label: Type.Optional(
      Type.String({
        maxLength: 15,
        description:
          'IPv4 address label, e.g. `eth0:vip` (must start with the interface name). ' +
          'Defaults to none.',
      }),
    ),
    track: defaulted(
      Type.Array(
        Type.Object(
          {
            tracker: name('Name of a tracker under `trackers`.'),
            weight: defaulted(
              Type.Integer({
                minimum: -254,
                maximum: 254,
                default: 0,
                description:
                  '0: FAULT while the tracker is down. Negative: added to the priority while ' +
                  'down. Positive: added while up. For file trackers, multiplied by the value.',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        {
          default: [],
          description: "Trackers that change this group's priority or put it in FAULT.",
        },
      ),
    ),
    track_interface: defaulted(
      Type.Boolean({
        default: true,
        description: 'Put the group in FAULT while its own interface is down or has no carrier.',
      }),
    ),
    notify: defaulted(
      Type.Array(notifyScript, {
        default: [],
        description: "Scripts run on this group's state changes, after the top-level ones.",
      }),
    ),
    announce: Type.Optional(announceOverrides),
    vrrp: Type.Optional(vrrpSchema),
    routed: Type.Optional(routedSchema),
  },
  {
    additionalProperties: false,
    description: 'A set of VIPs that move together (keepalived `vrrp_instance`).',
  },
);

export const TRACKER_TYPES = trackerVariants.map((variant) =>
  String(asJsonSchema(variant)['title']),
);

const nodeSchema = Type.Object(
  {
    id: name('Unique node id within the cluster; peers list it under `cluster.peers`.'),
    listen: Type.Optional(
      Type.String({
        format: 'listen-address',
        description:
          'ip:port ([v6]:port) where the heartbeat WebSocket listens; peers dial it. Required ' +
          'unless the node needs no mesh: a real server only (a realserver section, no groups, ' +
          'no peers), or a node whose groups all use `vrrp` and that lists no peers.',
      }),
    ),
    state_file: defaulted(
      Type.String({
        pattern: '^/',
        default: '/var/lib/vipd/node-state.json',
        description:
          'Where maintenance on/off is kept across restarts (absolute path; its directory ' +
          'must exist: systemd StateDirectory=vipd makes /var/lib/vipd). If it cannot be ' +
          'written, maintenance still applies but ends with the process (a warning says so). ' +
          'A file that exists but cannot be read or is not valid starts the node IN ' +
          'maintenance (NODE_STATE_UNREADABLE in the log); `vipctl maintenance off` rewrites it.',
      }),
    ),
    allow_unsafe_scripts: defaulted(
      Type.Boolean({
        default: false,
        description:
          "Run notify and tracker scripts that users other than root and vipd's own could " +
          'change (group- or world-writable, owned by another user, or in such a directory). ' +
          "Scripts run with vipd's CAP_NET_ADMIN, so by default such a script is refused " +
          '(SCRIPT_UNSAFE); true turns the refusal into a warning.',
      }),
    ),
  },
  { additionalProperties: false, description: 'This node.' },
);

const clusterSchema = Type.Object(
  {
    name: defaulted(
      Type.String({
        pattern: NAME_PATTERN,
        description: 'Cluster name; heartbeats from another cluster are rejected.',
        default: 'vipd',
      }),
    ),
    key_file: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'File holding the shared heartbeat key: its bytes exactly (binary is fine), except ' +
          'that one trailing newline is dropped, so `vipd keygen > cluster.key` works. At ' +
          'least 32 bytes (VIPD_CLUSTER_KEY: its UTF-8 bytes, the same minimum). Required ' +
          'unless VIPD_CLUSTER_KEY is set or the node needs no mesh (see node.listen). Must be mode ' +
          '0600 or 0400: a file group or others can read is refused (KEY_FILE_EXPOSED).',
        envOverride: 'VIPD_CLUSTER_KEY',
      }),
    ),
    allow_readable_key_file: defaulted(
      Type.Boolean({
        default: false,
        description:
          'Accept key_file and accept_key_files that group or others can read, with a ' +
          'warning instead of the refusal. Anyone who can read the key can join the cluster.',
      }),
    ),
    accept_key_files: defaulted(
      Type.Array(path('A key file, read like key_file.'), {
        default: [],
        maxItems: 4,
        description:
          'Further cluster keys accepted on received heartbeats but never used to sign: ' +
          'for rotating the key without an outage (docs/security.md). key_file and this ' +
          'list are re-read on SIGHUP.',
      }),
    ),
    heartbeat_interval: defaulted(
      duration(
        'How often each node sends its state to every peer.',
        { min: '10ms', max: '10s' },
        '100ms',
      ),
    ),
    down_multiplier: defaulted(
      Type.Integer({
        minimum: 2,
        maximum: 100,
        default: 3,
        description: 'A silent master is declared dead after down_multiplier × heartbeat_interval.',
      }),
    ),
    heartbeat_datagram: defaulted(
      Type.Boolean({
        default: true,
        description:
          'Also send every heartbeat as one UDP datagram to the peer (to the same host:port, ' +
          'from a UDP socket bound to node.listen). A peer heard by datagram stays up while its ' +
          'WebSocket connection is stalled or cut, so a one-way cut, which stalls TCP both ' +
          'ways, still lets the side that hears tell the other it is deaf. Datagrams are ' +
          'signed like every frame but never encrypted, even with cluster.tls. Open the ' +
          'heartbeat port for UDP from the peers too (deploy/nftables). Restart-only.',
      }),
    ),
    quorum: defaulted(
      Type.Boolean({
        default: false,
        description:
          'Quorum guard: a node is (or stays) master only while it hears a majority of ' +
          'the cluster (itself and every peer, witnesses included).',
      }),
    ),
    peers: defaulted(
      Type.Array(
        Type.Object(
          {
            id: name("The peer's `node.id`."),
            address: Type.String({
              format: 'peer-address',
              description: "host:port of the peer's `node.listen`.",
            }),
          },
          { additionalProperties: false },
        ),
        { default: [], description: 'Every other node of the cluster, witnesses included.' },
      ),
    ),
    tls: Type.Optional(
      Type.Object(
        {
          cert_file: path(
            "This node's certificate (PEM). It must name this node's `node.id` — a URI " +
              'subjectAltName `vipd:node/<id>`, or without one the subject CN — and the host ' +
              'its peers dial (an IP address or DNS subjectAltName).',
          ),
          key_file: path("This node's private key (PEM)."),
          ca_file: path("CA that signed every node's certificate (PEM)."),
        },
        {
          additionalProperties: false,
          description: 'Mutual TLS for heartbeats (wss://); both ends verify the CA.',
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'What every node of the cluster shares.',
  },
);

const webhookSchema = Type.Object(
  {
    name: name('Names the webhook in metrics and logs (`webhook` label); unique.'),
    url: Type.String({
      format: 'webhook-url',
      description:
        'http:// or https:// URL the events are POSTed to; no user:password@ in it (put ' +
        "credentials in the receiver's check of the signature).",
    }),
    secret_file: path(
      'File holding the HMAC-SHA256 key (at least 16 bytes; `vipd keygen` makes one). Must ' +
        'not be readable by other users; never logged.',
    ),
    allow_readable_secret_file: defaulted(
      Type.Boolean({
        default: false,
        description: 'Accept a secret_file other users can read (with a warning).',
      }),
    ),
    events: defaulted(
      Type.Array(oneOfStrings(EVENT_KINDS, { description: 'An event kind.' }), {
        default: [...EVENT_KINDS],
        minItems: 1,
        uniqueItems: true,
        description: 'The event kinds sent; all of them unless listed.',
      }),
    ),
    timeout: defaulted(
      duration(
        'One delivery attempt still unanswered after this is abandoned (and retried).',
        { min: '100ms', max: '1m' },
        '5s',
      ),
    ),
    max_attempts: defaulted(
      Type.Integer({
        minimum: 1,
        maximum: 20,
        default: 5,
        description:
          'Attempts per event, with exponential backoff between them, before it is counted ' +
          'as failed and the next one is sent. A 4xx answer other than 408 and 429 is not retried.',
      }),
    ),
    queue: defaulted(
      Type.Integer({
        minimum: 1,
        maximum: 100_000,
        default: 1000,
        description:
          'Events waiting for this webhook; beyond it the oldest waiting one is dropped and ' +
          'counted (vipd_webhook_events_dropped_total).',
      }),
    ),
  },
  { additionalProperties: false, description: 'One webhook receiver.' },
);

const notifySchema = Type.Object(
  {
    scripts: defaulted(
      Type.Array(notifyScript, {
        default: [],
        description: "Run for every group's state changes, in order.",
      }),
    ),
    timeout: defaulted(
      duration('A script still running after this is killed.', { min: '10ms', max: '10m' }, '10s'),
    ),
    webhooks: defaulted(
      Type.Array(webhookSchema, {
        default: [],
        description:
          'HTTP endpoints every selected event (GET /v1/events) is POSTed to as JSON, signed ' +
          'with HMAC-SHA256 (docs/operations.md, "Webhooks"). Delivery runs beside the ' +
          'election and never delays it. Reloadable.',
      }),
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Scripts run on state changes (keepalived `notify`), and webhooks.',
  },
);

const apiSchema = Type.Object(
  {
    enabled: defaulted(Type.Boolean({ default: true, description: 'Serve the API.' })),
    listen: defaulted(
      Type.String({
        format: 'listen-address',
        default: '127.0.0.1:7411',
        description: 'ip:port to listen on. Keep it on loopback or a management network.',
      }),
    ),
    token_file: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'File holding the bearer token for mutating calls, read like cluster.key_file ' +
          '(its bytes, one trailing newline dropped) but at least 16 bytes. Without a ' +
          'token (file or VIPD_API_TOKEN) the API is read-only. Must be mode 0600 or 0400.',
        envOverride: 'VIPD_API_TOKEN',
      }),
    ),
    allow_readable_token_file: defaulted(
      Type.Boolean({
        default: false,
        description:
          'Accept a token_file that group or others can read, with a warning instead of ' +
          'the refusal.',
      }),
    ),
    max_connections: defaulted(
      Type.Integer({
        minimum: 1,
        maximum: 10_000,
        default: 64,
        description:
          'Connections the API holds open at once (vipctl, Prometheus, probes). At the cap a ' +
          'new connection sheds one that has no request in progress (from the address holding ' +
          'the most connections, oldest first), so a slow or idle flood cannot lock out a ' +
          'client that asks promptly; it is refused only while every connection is in a ' +
          'request. Both are counted in vipd_api_connections_dropped_total (evicted, ' +
          'max-connections). Reloadable.',
      }),
    ),
    event_history: defaulted(
      Type.Integer({
        minimum: 1,
        maximum: 100_000,
        default: 1000,
        description:
          'Events the node keeps in memory for GET /v1/events, vipctl events and the web view ' +
          '(transitions, operator actions, peers, trackers, conflicts, hook failures, reloads); ' +
          'the oldest go first. About 300 bytes each. Reloadable (the newest are kept).',
      }),
    ),
    allowed_hosts: defaulted(
      Type.Array(Type.String({ format: 'host-name' }), {
        default: [],
        uniqueItems: true,
        description:
          'DNS names clients may use to reach the API (the Host header). Requests naming an IP ' +
          'address or localhost are always answered; any other name is refused with 421 ' +
          'HOST_NOT_ALLOWED, which stops DNS-rebinding web pages from reading the API through ' +
          "an operator's browser. List the names Prometheus or vipctl use, if not an IP. Reloadable.",
      }),
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'The REST API (status, takeover, release, maintenance, metrics).',
  },
);

const logSchema = Type.Object(
  {
    level: defaulted(
      oneOfStrings(['trace', 'debug', 'info', 'warn', 'error', 'fatal'], {
        default: 'info',
        description: 'Minimum level logged.',
      }),
    ),
    format: defaulted(
      oneOfStrings(['json', 'pretty'], {
        default: 'json',
        description: 'One JSON object per line, or colourised text for a terminal.',
      }),
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Logging; `--log-level` and `--log-format` override these.',
  },
);

export const CONFIG_SCHEMA = Type.Object(
  {
    node: nodeSchema,
    cluster: defaulted(clusterSchema),
    groups: defaulted(
      Type.Array(groupSchema, {
        default: [],
        description: 'VIP groups this node may hold. A node with no groups is a witness.',
      }),
    ),
    trackers: defaulted(
      Type.Array(trackerSchema, {
        default: [],
        description: 'Health checks that groups can track.',
      }),
    ),
    notify: defaulted(notifySchema),
    announce: defaulted(announceDefaults),
    api: defaulted(apiSchema),
    log: defaulted(logSchema),
    realserver: Type.Optional(
      Type.Object(REALSERVER_SCHEMA.properties, {
        additionalProperties: false,
        description:
          'The real-server role for direct-routing load balancing: hidden VIPs on `lo` ' +
          '(scope host) and the arp_ignore / arp_announce sysctls, re-checked continuously.',
      }),
    ),
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://vipd.dev/schema/config.json',
    title: 'vipd configuration',
    additionalProperties: false,
  },
);

export type { JsonSchema } from './schema-kit.js';

/**
 * A config file as the validator leaves it: every key with a default is filled in. Only
 * normalise (load.ts) reads it; everything else takes the VipdConfig it returns.
 */
export type ConfigFile = Static<typeof CONFIG_SCHEMA>;
export type GroupFile = Static<typeof groupSchema>;
export type VrrpFile = Static<typeof vrrpSchema>;
export type NotifyScriptFile = Static<typeof notifyScript>;
export type AnnounceFile = Static<typeof announceDefaults>;
export type AnnounceOverridesFile = Static<typeof announceOverrides>;
