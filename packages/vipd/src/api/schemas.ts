// Every request and reply of the REST API, written once as a TypeBox schema. fastify
// validates requests and serialises replies with them, @fastify/swagger turns them into
// /openapi.json (and so docs/api.md), and the TypeScript types the daemon fills in
// (control.ts) are derived from them, so the three cannot drift apart.

import type { GroupState } from '@vipd/election';
import { Type, type Static, type TProperties, type TSchema, type TSchemaOptions } from 'typebox';
import { ERROR_CODES } from '../errors.js';

/**
 * An object with exactly these keys: a reply never carries a field the schema does not
 * name, and a body with an unknown key is refused. Read-only, as every view handed out is.
 */
function closedObject<Properties extends TProperties>(
  properties: Properties,
  options: TSchemaOptions = {},
) {
  return Type.ReadonlyObject(Type.Object(properties), { additionalProperties: false, ...options });
}

function readonlyArray<Item extends TSchema>(items: Item) {
  return Type.ReadonlyObject(Type.Array(items));
}

/**
 * OpenAPI 3.0's `nullable` rather than JSON Schema's `anyOf [T, null]`: the document is
 * OpenAPI 3.0.3, and ajv and fastify's serialiser both understand the keyword.
 */
function nullable<T extends TSchema>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ ...schema, nullable: true });
}

/** A shared schema added with app.addSchema, referred to by its $id; a new object per use. */
function reference<T extends TSchema>(schema: T & { readonly $id?: string }) {
  if (schema.$id === undefined) throw new Error('a schema referred to needs an $id');
  return Type.Unsafe<Static<T>>({ $ref: `${schema.$id}#` });
}

// Listing every GroupState makes the schema's type and the election's the same union: a
// state added to the election and not here fails the build where the driver fills a view.
const GROUP_STATES = [
  'INIT',
  'BACKUP',
  'MASTER',
  'FAULT',
  'MAINTENANCE',
] as const satisfies readonly GroupState[];
const groupState = () => Type.Enum(GROUP_STATES, { type: 'string' });

export const daemonPhaseSchema = Type.Enum(['starting', 'running', 'stopping'], {
  type: 'string',
});

export const errorSchema = closedObject(
  {
    code: Type.Enum(ERROR_CODES, { type: 'string' }),
    message: Type.String(),
  },
  {
    $id: 'Error',
    description:
      'Every error answer. `code` is stable (docs/errors.md); `message` says what is wrong.',
  },
);

export const groupTrackSchema = closedObject({
  tracker: Type.String(),
  weight: Type.Integer(),
  up: nullable(Type.Boolean()),
});

export const groupVrrpSchema = closedObject(
  {
    vrid: Type.Integer({ minimum: 1, maximum: 255 }),
    family: Type.Integer({ enum: [4, 6], description: 'Address family of the group.' }),
    primaryAddress: Type.String({ description: "This node's advert source address." }),
    masterAddress: nullable(
      Type.String({ description: "The current master's address (own when master)." }),
    ),
    advertIntervalMs: Type.Integer({ description: 'Configured advert interval.' }),
    masterAdvertIntervalMs: Type.Integer({ description: "The master's advertised interval." }),
    masterDownIntervalMs: Type.Number({
      description:
        '3 x the master interval + skew time: how long a backup waits for a silent master.',
    }),
  },
  { description: 'The VRRP side of a `vrrp:` group; null for a mesh group.' },
);

export const groupSchema = closedObject(
  {
    name: Type.String(),
    state: groupState(),
    priority: Type.Integer({ description: 'Configured base priority.' }),
    effectivePriority: Type.Integer({
      description: 'Advertised priority after tracker weights (0 while resigning or drained).',
    }),
    epoch: Type.Integer(),
    master: nullable(Type.String({ description: 'Node this node believes is master.' })),
    forced: Type.Boolean({ description: 'Held by an operator takeover.' }),
    interface: Type.String(),
    addresses: readonlyArray(Type.String()),
    announced: Type.Boolean({
      description: 'This node is master with the VIPs on the interface and announced.',
    }),
    lastTransitionAt: nullable(Type.String({ format: 'date-time' })),
    lastTransitionReason: nullable(
      Type.String({
        description:
          "Why the group is in its state: the election's (or VRRP router's) reason for its last transition. Null before the first.",
      }),
    ),
    lastTransitionDetail: nullable(
      Type.String({ description: 'The same as one sentence, as in the log and GET /v1/events.' }),
    ),
    track: readonlyArray(groupTrackSchema),
    mode: Type.Enum(['mesh', 'vrrp'], {
      type: 'string',
      description: 'Who decides the master: the vipd mesh, or VRRPv3 on the wire (`vrrp:`).',
    }),
    vrrp: nullable(groupVrrpSchema),
  },
  { $id: 'Group' },
);

/** Where a reply is a Group: the shared schema, by reference. */
export const groupReference = () => reference(groupSchema);

const peerGroupSchema = closedObject({
  state: groupState(),
  priority: Type.Integer(),
  epoch: Type.Integer(),
});

/** A JSON object keyed by group name; `additionalProperties` as OpenAPI 3.0 knows maps. */
const peerGroupsSchema = Type.Unsafe<Readonly<Record<string, Static<typeof peerGroupSchema>>>>({
  type: 'object',
  description: 'Groups the peer advertised in its last heartbeat.',
  additionalProperties: peerGroupSchema,
});

export const peerSchema = closedObject({
  id: Type.String(),
  address: Type.String(),
  up: Type.Boolean(),
  rttMs: nullable(Type.Number()),
  path: nullable(
    Type.Enum(['both', 'stream', 'datagram'], {
      type: 'string',
      description:
        "Which paths brought the peer's heartbeats within the last two intervals: the " +
        'WebSocket (stream), UDP (datagram), both; null: neither.',
    }),
  ),
  lastHeartbeatAt: nullable(
    Type.String({ format: 'date-time', description: 'Null before the first heartbeat.' }),
  ),
  groups: peerGroupsSchema,
});

export const trackerSchema = closedObject({
  name: Type.String(),
  type: Type.String(),
  up: nullable(Type.Boolean({ description: 'Null before the first check completed.' })),
  detail: nullable(Type.String()),
});

export const statusSchema = closedObject(
  {
    node: closedObject({
      id: Type.String(),
      version: Type.String(),
      phase: daemonPhaseSchema,
      maintenance: Type.Boolean(),
      witness: Type.Boolean({ description: 'No groups: votes, holds no VIPs.' }),
      uptimeSeconds: Type.Number(),
    }),
    quorum: closedObject({
      enabled: Type.Boolean(),
      hasQuorum: Type.Boolean(),
      voters: Type.Integer(),
      votersHeard: Type.Integer(),
    }),
    peers: readonlyArray(peerSchema),
    groups: readonlyArray(groupReference()),
    trackers: readonlyArray(trackerSchema),
  },
  { $id: 'Status' },
);

export const groupParamsSchema = closedObject({
  name: Type.String({ minLength: 1, maxLength: 63 }),
});

export const DEFAULT_WAIT_MS = 5000;
/** A takeover or release may wait this long before answering, silent on the socket. */
export const LONGEST_WAIT_MS = 60_000;

export const waitQuerySchema = closedObject({
  timeout_ms: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: LONGEST_WAIT_MS,
      default: DEFAULT_WAIT_MS,
      description:
        'How long to wait for the VIPs to move before answering TAKEOVER_TIMEOUT (takeover) or RELEASE_TIMEOUT (release).',
    }),
  ),
});

/** The caller's optional why and who, for the audit log and the event history. */
const operatorCallProperties = {
  reason: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: '^[^\\u0000-\\u001f\\u007f]*$',
      description:
        'Why, in the operator\'s words (a ticket, "kernel upgrade"); logged and kept in the event history.',
    }),
  ),
  actor: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[^\\u0000-\\u001f\\u007f]*$',
      description: 'Who asks (a user name, a CI job); `api` when not given.',
    }),
  ),
};

export const operatorCallBodySchema = closedObject(operatorCallProperties, {
  description: 'Optional: the reason and actor recorded with the action.',
});

export const maintenanceBodySchema = closedObject({
  enabled: Type.Boolean(),
  ...operatorCallProperties,
});

export const takeoverReplySchema = closedObject({
  group: groupReference(),
  durationMs: Type.Number({
    description: 'From the request until the VIPs were on the interface and announced.',
  }),
});

export const maintenanceReplySchema = closedObject({
  maintenance: Type.Boolean(),
  persisted: Type.Optional(
    Type.Boolean({
      description:
        'Whether node.state_file now holds the setting, so a restart keeps it. false: the setting is in force but a restart may lose it (see persistError).',
    }),
  ),
  persistError: Type.Optional(
    Type.String({ description: 'Why the setting could not be written ("ENOSPC: …").' }),
  ),
});

export const probeReplySchema = closedObject({
  status: Type.String(),
  phase: Type.Optional(daemonPhaseSchema),
});

export const metricsReplySchema = Type.String();

const errorReference = () => reference(errorSchema);

/** The error answers a route may give, each a `{ code, message }` body. */
export function errorReplies<Status extends number>(
  ...statuses: Status[]
): Record<Status, ReturnType<typeof errorReference>> {
  // fromEntries cannot know the keys are exactly `statuses`.
  return Object.fromEntries(statuses.map((status) => [status, errorReference()])) as Record<
    Status,
    ReturnType<typeof errorReference>
  >;
}
