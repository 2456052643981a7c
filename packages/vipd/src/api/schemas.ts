// JSON schemas of every request and reply; fastify validates requests and serialises replies
// with them, and @fastify/swagger turns them into /openapi.json.

import { ERROR_CODES } from '../errors.js';

const STATES = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'MAINTENANCE'];

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  description:
    'Every error answer. `code` is stable (docs/errors.md); `message` says what is wrong.',
  required: ['code', 'message'],
  additionalProperties: false,
  properties: {
    code: { type: 'string', enum: ERROR_CODES },
    message: { type: 'string' },
  },
} as const;

const nullable = <T extends object>(schema: T) => ({ ...schema, nullable: true });

export const groupSchema = {
  $id: 'Group',
  type: 'object',
  required: [
    'name',
    'state',
    'priority',
    'effectivePriority',
    'epoch',
    'master',
    'forced',
    'interface',
    'addresses',
    'announced',
    'lastTransitionAt',
    'track',
  ],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    state: { type: 'string', enum: STATES },
    priority: { type: 'integer', description: 'Configured base priority.' },
    effectivePriority: {
      type: 'integer',
      description: 'Advertised priority after tracker weights (0 while resigning or drained).',
    },
    epoch: { type: 'integer' },
    master: nullable({ type: 'string', description: 'Node this node believes is master.' }),
    forced: { type: 'boolean', description: 'Held by an operator takeover.' },
    interface: { type: 'string' },
    addresses: { type: 'array', items: { type: 'string' } },
    announced: {
      type: 'boolean',
      description: 'This node is master with the VIPs on the interface and announced.',
    },
    lastTransitionAt: nullable({ type: 'string', format: 'date-time' }),
    track: {
      type: 'array',
      items: {
        type: 'object',
        required: ['tracker', 'weight', 'up'],
        additionalProperties: false,
        properties: {
          tracker: { type: 'string' },
          weight: { type: 'integer' },
          up: nullable({ type: 'boolean' }),
        },
      },
    },
  },
} as const;

const peerGroupSchema = {
  type: 'object',
  required: ['state', 'priority', 'epoch'],
  additionalProperties: false,
  properties: {
    state: { type: 'string', enum: STATES },
    priority: { type: 'integer' },
    epoch: { type: 'integer' },
  },
} as const;

export const statusSchema = {
  $id: 'Status',
  type: 'object',
  required: ['node', 'quorum', 'peers', 'groups', 'trackers'],
  additionalProperties: false,
  properties: {
    node: {
      type: 'object',
      required: ['id', 'version', 'phase', 'maintenance', 'witness', 'uptimeSeconds'],
      additionalProperties: false,
      properties: {
        id: { type: 'string' },
        version: { type: 'string' },
        phase: { type: 'string', enum: ['starting', 'running', 'stopping'] },
        maintenance: { type: 'boolean' },
        witness: { type: 'boolean', description: 'No groups: votes, holds no VIPs.' },
        uptimeSeconds: { type: 'number' },
      },
    },
    quorum: {
      type: 'object',
      required: ['enabled', 'hasQuorum', 'voters', 'votersHeard'],
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        hasQuorum: { type: 'boolean' },
        voters: { type: 'integer' },
        votersHeard: { type: 'integer' },
      },
    },
    peers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'address', 'up', 'rttMs', 'lastHeartbeatAt', 'groups'],
        additionalProperties: false,
        properties: {
          id: { type: 'string' },
          address: { type: 'string' },
          up: { type: 'boolean' },
          rttMs: nullable({ type: 'number' }),
          lastHeartbeatAt: nullable({ type: 'string', format: 'date-time' }),
          groups: { type: 'object', additionalProperties: peerGroupSchema },
        },
      },
    },
    groups: { type: 'array', items: { $ref: 'Group#' } },
    trackers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'type', 'up', 'detail'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          type: { type: 'string' },
          up: nullable({ type: 'boolean' }),
          detail: nullable({ type: 'string' }),
        },
      },
    },
  },
} as const;

export const groupParamsSchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 63 } },
} as const;

export const waitQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    timeout_ms: {
      type: 'integer',
      minimum: 1,
      maximum: 60_000,
      default: 5000,
      description:
        'How long to wait for the VIPs to move before answering TAKEOVER_TIMEOUT (takeover) or RELEASE_TIMEOUT (release).',
    },
  },
} as const;

export const maintenanceBodySchema = {
  type: 'object',
  required: ['enabled'],
  additionalProperties: false,
  properties: { enabled: { type: 'boolean' } },
} as const;

export const takeoverReplySchema = {
  type: 'object',
  required: ['group', 'durationMs'],
  additionalProperties: false,
  properties: {
    group: { $ref: 'Group#' },
    durationMs: {
      type: 'number',
      description: 'From the request until the VIPs were on the interface and announced.',
    },
  },
} as const;

export const maintenanceReplySchema = {
  type: 'object',
  required: ['maintenance'],
  additionalProperties: false,
  properties: { maintenance: { type: 'boolean' } },
} as const;

export const probeReplySchema = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: {
    status: { type: 'string' },
    phase: { type: 'string', enum: ['starting', 'running', 'stopping'] },
  },
} as const;

export const errorReplies = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, { $ref: 'Error#' }]));
