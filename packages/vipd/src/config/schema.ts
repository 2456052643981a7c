// The configuration schema: the single source of truth for what a vipd config file may say.
// The validator (ajv) enforces it, docs/configuration.md is generated from it
// (`npm run docs:config`), and its defaults are the daemon's defaults.
//
// Besides standard JSON Schema it uses three vipd keywords, registered in validate.ts:
//   format: "vip" | "listen-address" | "peer-address" | "interface-name" | "http-url" |
//           "host-name"
//   durationRange: { min, max }   bounds for a duration string ("100ms", "2s", "1m")
//   envOverride: "NAME"          an environment variable that replaces the value (secrets)

import { DURATION_PATTERN } from './duration.js';

export interface JsonSchema {
  readonly [keyword: string]: unknown;
}

function duration(description: string, range: { min: string; max: string }, def?: string) {
  return {
    type: 'string',
    pattern: DURATION_PATTERN,
    durationRange: range,
    description,
    ...(def === undefined ? {} : { default: def }),
  } as const;
}

const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$';

const name = (description: string) =>
  ({ type: 'string', pattern: NAME_PATTERN, description }) as const;

const path = (description: string) => ({ type: 'string', minLength: 1, description }) as const;

/** The announce keys; at the top level they carry defaults, in a group they override them. */
function announceSchema(withDefaults: boolean): JsonSchema {
  const d = <T>(value: T) => (withDefaults ? { default: value } : {});
  return {
    type: 'object',
    additionalProperties: false,
    description: withDefaults
      ? 'How a new master announces its VIPs: gratuitous ARP for IPv4, unsolicited neighbour ' +
        'advertisements for IPv6. A burst goes out at once, a second burst after `delay`, ' +
        'then one frame per VIP every `refresh` while master.'
      : 'Overrides the top-level `announce` settings for this group; unset keys inherit.',
    ...(withDefaults ? { default: {} } : {}),
    properties: {
      repeat: {
        type: 'integer',
        minimum: 1,
        maximum: 100,
        description: 'Frames per VIP in each burst (keepalived `garp_master_repeat`).',
        ...d(5),
      },
      interval: duration(
        'Gap between the frames of one burst.',
        { min: '0ms', max: '10s' },
        withDefaults ? '10ms' : undefined,
      ),
      delay: duration(
        'When the second burst starts after the first (keepalived `garp_master_delay`); ' +
          '`0s` disables the second burst.',
        { min: '0ms', max: '1h' },
        withDefaults ? '5s' : undefined,
      ),
      refresh: duration(
        'Periodic re-announcement while master (keepalived `garp_master_refresh`); `0s` = off, ' +
          'otherwise at least 100ms.',
        { min: '0ms', max: '24h' },
        withDefaults ? '0s' : undefined,
      ),
      mode: {
        type: 'string',
        enum: ['request', 'reply', 'both'],
        description:
          'Gratuitous ARP as a request, a reply, or both (some switches only learn from ' +
          'one kind). IPv6 always sends neighbour advertisements.',
        ...d('request'),
      },
    },
  };
}

const trackerCommon = {
  name: name('Unique name; groups refer to it under `track`.'),
  interval: duration('How often to check.', { min: '10ms', max: '1h' }, '1s'),
  rise: {
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 1,
    description: 'Consecutive successes before a failed tracker counts as up again.',
  },
  fall: {
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 1,
    description: 'Consecutive failures before a healthy tracker counts as down.',
  },
} as const;

const trackerTimeout = duration(
  'How long one check may take before it counts as a failure.',
  { min: '1ms', max: '10m' },
  '1s',
);

const trackerSchema: JsonSchema = {
  type: 'object',
  description:
    'A health check. Its result reaches every group that lists it under `track`: a ' +
    'negative `weight` lowers the priority while it is down, a positive one raises it while ' +
    'it is up, weight 0 puts the group in FAULT while it is down.',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: [
    {
      title: 'interface',
      description:
        'Link state of a network interface: up when it is administratively up and has carrier.',
      type: 'object',
      additionalProperties: false,
      required: ['name', 'type', 'interface'],
      properties: {
        ...trackerCommon,
        type: { const: 'interface' },
        interface: { type: 'string', format: 'interface-name', description: 'Interface name.' },
      },
    },
    {
      title: 'http',
      description: 'HTTP(S) GET; up when the answer has one of the expected statuses.',
      type: 'object',
      additionalProperties: false,
      required: ['name', 'type', 'url'],
      properties: {
        ...trackerCommon,
        type: { const: 'http' },
        url: { type: 'string', format: 'http-url', description: 'http:// or https:// URL.' },
        expect_status: {
          type: 'array',
          items: { type: 'integer', minimum: 100, maximum: 599 },
          minItems: 1,
          uniqueItems: true,
          default: [200],
          description: 'Statuses that count as healthy.',
        },
        tls_verify: {
          type: 'boolean',
          default: true,
          description: 'Verify the server certificate for https:// URLs.',
        },
        ca_file: path(
          'PEM file of the CA certificate(s) that signed the server certificate of an ' +
            'https:// URL (an internal CA), used instead of the system store. Read at every ' +
            'check, so a renewed CA needs no reload.',
        ),
        timeout: trackerTimeout,
      },
    },
    {
      title: 'tcp',
      description: 'TCP connect; up when the connection is accepted within the timeout.',
      type: 'object',
      additionalProperties: false,
      required: ['name', 'type', 'address'],
      properties: {
        ...trackerCommon,
        type: { const: 'tcp' },
        address: {
          type: 'string',
          format: 'peer-address',
          description: 'host:port ([v6]:port for IPv6).',
        },
        timeout: trackerTimeout,
      },
    },
    {
      title: 'script',
      description:
        'Runs a program (no shell); up when it exits 0 within the timeout. A program that ' +
        'overruns is killed.',
      type: 'object',
      additionalProperties: false,
      required: ['name', 'type', 'path'],
      properties: {
        ...trackerCommon,
        type: { const: 'script' },
        path: path('Executable to run; relative paths resolve against the config file.'),
        args: { type: 'array', items: { type: 'string' }, default: [], description: 'Arguments.' },
        timeout: trackerTimeout,
      },
    },
    {
      title: 'file',
      description:
        'A file holding an integer (keepalived `track_file`). The group adds value × weight ' +
        'to its priority; with weight 0 any non-zero value means FAULT. A missing file reads ' +
        'as 0; unreadable or non-numeric content counts as down.',
      type: 'object',
      additionalProperties: false,
      required: ['name', 'type', 'path'],
      properties: {
        name: trackerCommon.name,
        interval: trackerCommon.interval,
        type: { const: 'file' },
        path: path('File to read; relative paths resolve against the config file.'),
      },
    },
  ],
};

const notifyScript = {
  type: 'string',
  minLength: 1,
  description:
    'Executable run on every state change with VIPD_GROUP, VIPD_OLD_STATE, VIPD_NEW_STATE, ' +
    'VIPD_EPOCH, VIPD_REASON and VIPD_NODE in its environment; relative paths resolve ' +
    'against the config file.',
} as const;

const groupSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'interface', 'addresses'],
  description: 'A set of VIPs that move together (keepalived `vrrp_instance`).',
  properties: {
    name: name('Unique group name, the same on every node.'),
    interface: {
      type: 'string',
      format: 'interface-name',
      description: 'Interface the VIPs are added to and announced on.',
    },
    addresses: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      items: {
        type: 'string',
        format: 'vip',
        description: 'IPv4 or IPv6 address with optional prefix length (default /32 or /128).',
      },
      description: 'The VIPs, IPv4 and IPv6 mixed as needed.',
    },
    priority: {
      type: 'integer',
      minimum: 1,
      maximum: 255,
      default: 100,
      description:
        'Base priority 1-254; the highest live node is master. 255 marks the address owner, ' +
        'which takes over at once.',
    },
    preempt: {
      type: 'boolean',
      default: true,
      description:
        'Take over from a live master of lower priority (false = keepalived `nopreempt`).',
    },
    preempt_delay: duration(
      'How long this node waits, once it could preempt, before it does.',
      { min: '0ms', max: '1h' },
      '0s',
    ),
    sync_group: name(
      'Groups with the same sync group fail over together (keepalived `vrrp_sync_group`).',
    ),
    label: {
      type: 'string',
      maxLength: 15,
      description:
        'IPv4 address label, e.g. `eth0:vip` (must start with the interface name). ' +
        'Defaults to none.',
    },
    track: {
      type: 'array',
      default: [],
      description: "Trackers that change this group's priority or put it in FAULT.",
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['tracker'],
        properties: {
          tracker: name('Name of a tracker under `trackers`.'),
          weight: {
            type: 'integer',
            minimum: -254,
            maximum: 254,
            default: 0,
            description:
              '0: FAULT while the tracker is down. Negative: added to the priority while ' +
              'down. Positive: added while up. For file trackers, multiplied by the value.',
          },
        },
      },
    },
    track_interface: {
      type: 'boolean',
      default: true,
      description: 'Put the group in FAULT while its own interface is down or has no carrier.',
    },
    notify: {
      type: 'array',
      default: [],
      items: notifyScript,
      description: "Scripts run on this group's state changes, after the top-level ones.",
    },
    announce: announceSchema(false),
  },
};

export const TRACKER_TYPES = (trackerSchema['oneOf'] as { title: string }[]).map((s) => s.title);

export const CONFIG_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://vipd.dev/schema/config.json',
  title: 'vipd configuration',
  type: 'object',
  additionalProperties: false,
  required: ['node'],
  properties: {
    node: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      description: 'This node.',
      properties: {
        id: name('Unique node id within the cluster; peers list it under `cluster.peers`.'),
        listen: {
          type: 'string',
          format: 'listen-address',
          description:
            'ip:port ([v6]:port) where the heartbeat WebSocket listens; peers dial it. Required ' +
            'unless the node is a real server only (a realserver section, no groups, no peers).',
        },
        state_file: {
          type: 'string',
          pattern: '^/',
          default: '/var/lib/vipd/node-state.json',
          description:
            'Where maintenance on/off is kept across restarts (absolute path; its directory ' +
            'must exist: systemd StateDirectory=vipd makes /var/lib/vipd). If it cannot be ' +
            'written, maintenance still applies but ends with the process (a warning says so). ' +
            'A file that exists but cannot be read or is not valid starts the node IN ' +
            'maintenance (NODE_STATE_UNREADABLE in the log); `vipctl maintenance off` rewrites it.',
        },
        allow_unsafe_scripts: {
          type: 'boolean',
          default: false,
          description:
            "Run notify and tracker scripts that users other than root and vipd's own could " +
            'change (group- or world-writable, owned by another user, or in such a directory). ' +
            "Scripts run with vipd's CAP_NET_ADMIN, so by default such a script is refused " +
            '(SCRIPT_UNSAFE); true turns the refusal into a warning.',
        },
      },
    },
    cluster: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'What every node of the cluster shares.',
      properties: {
        name: {
          ...name('Cluster name; heartbeats from another cluster are rejected.'),
          default: 'vipd',
        },
        key_file: {
          ...path(
            'File holding the shared heartbeat key: its bytes exactly (binary is fine), except ' +
              'that one trailing newline is dropped, so `vipd keygen > cluster.key` works. At ' +
              'least 32 bytes (VIPD_CLUSTER_KEY: its UTF-8 bytes, the same minimum). Required ' +
              'unless VIPD_CLUSTER_KEY is set or the node is a real server only. Must be mode ' +
              '0600 or 0400: a file group or others can read is refused (KEY_FILE_EXPOSED).',
          ),
          envOverride: 'VIPD_CLUSTER_KEY',
        },
        allow_readable_key_file: {
          type: 'boolean',
          default: false,
          description:
            'Accept key_file and accept_key_files that group or others can read, with a ' +
            'warning instead of the refusal. Anyone who can read the key can join the cluster.',
        },
        accept_key_files: {
          type: 'array',
          default: [],
          maxItems: 4,
          items: path('A key file, read like key_file.'),
          description:
            'Further cluster keys accepted on received heartbeats but never used to sign: ' +
            'for rotating the key without an outage (docs/security.md). key_file and this ' +
            'list are re-read on SIGHUP.',
        },
        heartbeat_interval: duration(
          'How often each node sends its state to every peer.',
          { min: '10ms', max: '10s' },
          '100ms',
        ),
        down_multiplier: {
          type: 'integer',
          minimum: 2,
          maximum: 100,
          default: 3,
          description:
            'A silent master is declared dead after down_multiplier × heartbeat_interval.',
        },
        quorum: {
          type: 'boolean',
          default: false,
          description:
            'Quorum guard: a node is (or stays) master only while it hears a majority of ' +
            'the cluster (itself and every peer, witnesses included).',
        },
        peers: {
          type: 'array',
          default: [],
          description: 'Every other node of the cluster, witnesses included.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'address'],
            properties: {
              id: name("The peer's `node.id`."),
              address: {
                type: 'string',
                format: 'peer-address',
                description: "host:port of the peer's `node.listen`.",
              },
            },
          },
        },
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['cert_file', 'key_file', 'ca_file'],
          description: 'Mutual TLS for heartbeats (wss://); both ends verify the CA.',
          properties: {
            cert_file: path(
              "This node's certificate (PEM). It must name this node's `node.id` — a URI " +
                'subjectAltName `vipd:node/<id>`, or without one the subject CN — and the host ' +
                'its peers dial (an IP address or DNS subjectAltName).',
            ),
            key_file: path("This node's private key (PEM)."),
            ca_file: path("CA that signed every node's certificate (PEM)."),
          },
        },
      },
    },
    groups: {
      type: 'array',
      default: [],
      items: groupSchema,
      description: 'VIP groups this node may hold. A node with no groups is a witness.',
    },
    trackers: {
      type: 'array',
      default: [],
      items: trackerSchema,
      description: 'Health checks that groups can track.',
    },
    notify: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Scripts run on state changes (keepalived `notify`).',
      properties: {
        scripts: {
          type: 'array',
          default: [],
          items: notifyScript,
          description: "Run for every group's state changes, in order.",
        },
        timeout: duration(
          'A script still running after this is killed.',
          { min: '10ms', max: '10m' },
          '10s',
        ),
      },
    },
    announce: announceSchema(true),
    api: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'The REST API (status, takeover, release, maintenance, metrics).',
      properties: {
        enabled: { type: 'boolean', default: true, description: 'Serve the API.' },
        listen: {
          type: 'string',
          format: 'listen-address',
          default: '127.0.0.1:7411',
          description: 'ip:port to listen on. Keep it on loopback or a management network.',
        },
        token_file: {
          ...path(
            'File holding the bearer token for mutating calls, read like cluster.key_file ' +
              '(its bytes, one trailing newline dropped) but at least 16 bytes. Without a ' +
              'token (file or VIPD_API_TOKEN) the API is read-only. Must be mode 0600 or 0400.',
          ),
          envOverride: 'VIPD_API_TOKEN',
        },
        allow_readable_token_file: {
          type: 'boolean',
          default: false,
          description:
            'Accept a token_file that group or others can read, with a warning instead of ' +
            'the refusal.',
        },
        max_connections: {
          type: 'integer',
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
        },
        allowed_hosts: {
          type: 'array',
          default: [],
          uniqueItems: true,
          items: { type: 'string', format: 'host-name' },
          description:
            'DNS names clients may use to reach the API (the Host header). Requests naming an IP ' +
            'address or localhost are always answered; any other name is refused with 421 ' +
            'HOST_NOT_ALLOWED, which stops DNS-rebinding web pages from reading the API through ' +
            "an operator's browser. List the names Prometheus or vipctl use, if not an IP. Reloadable.",
        },
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Logging; `--log-level` and `--log-format` override these.',
      properties: {
        level: {
          type: 'string',
          enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
          default: 'info',
          description: 'Minimum level logged.',
        },
        format: {
          type: 'string',
          enum: ['json', 'pretty'],
          default: 'json',
          description: 'One JSON object per line, or colourised text for a terminal.',
        },
      },
    },
  },
};
