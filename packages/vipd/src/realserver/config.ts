// The `realserver:` config section: a JSON-schema fragment the daemon's config schema embeds,
// and the step from the validated YAML spelling to RealServerConfig.

import type { ValidateFunction } from 'ajv';
import { normalizeIp } from '@vipd/arp';
import Type, { type Static } from 'typebox';
import { createConfigAjv } from '../config/ajv.js';
import { DURATION_PATTERN, parseDurationMs } from '../config/duration.js';
import { defaulted } from '../config/schema-kit.js';
import { RealServerError } from './errors.js';
import type { RealServerConfig } from './types.js';

export const DEFAULT_STATE_FILE = '/var/lib/vipd/realserver-state.json';

// TypeBox builds the schema and derives RealServerSection from it, as for the rest of the
// config (config/schema.ts).
const ipAddress = Type.Unsafe<string>({
  type: 'string',
  anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }],
});

/** JSON schema of the `realserver:` section (compile it with createConfigAjv: vipd formats). */
export const REALSERVER_SCHEMA = Type.Object(
  {
    vips: Type.Array(ipAddress, {
      description: 'VIPs this real server accepts; added on lo as /32 or /128.',
      minItems: 1,
      uniqueItems: true,
    }),
    interfaces: Type.Array(Type.String({ format: 'interface-name' }), {
      description: 'Interfaces that receive the forwarded traffic and must not answer ARP.',
      minItems: 1,
      uniqueItems: true,
    }),
    arp_ignore: defaulted(Type.Unsafe<1 | 3>({ enum: [1, 3], default: 1 })),
    arp_announce: defaulted(Type.Unsafe<2>({ const: 2, default: 2 })),
    label: defaulted(
      Type.String({
        description: 'IPv4 label of the VIPs on lo; must start with "lo".',
        pattern: '^lo(:[^/:\\s]{1,12})?$',
        maxLength: 15,
        default: 'lo:vip',
      }),
    ),
    repair: defaulted(Type.Boolean({ default: false })),
    check_interval: defaulted(Type.String({ pattern: DURATION_PATTERN, default: '5s' })),
    rp_filter: defaulted(
      Type.Unsafe<'keep' | 'loose'>({ enum: ['keep', 'loose'], default: 'keep' }),
    ),
    client_probes: defaulted(Type.Array(ipAddress, { uniqueItems: true, default: [] })),
    state_file: defaulted(
      Type.String({
        description:
          'Where apply records each change and the value it replaced; under the systemd unit ' +
          'it must be in /var/lib/vipd (its StateDirectory), the only directory it may write.',
        pattern: '^/',
        default: DEFAULT_STATE_FILE,
      }),
    ),
    sysctl_file: Type.Optional(
      Type.String({
        description:
          'A sysctl.d file with the values in force, written only by `vipd realserver apply` ' +
          '(the daemon never writes it: its unit keeps /etc read-only, and it sets the sysctls ' +
          'itself at every start).',
        pattern: '^/.*\\.conf$',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The section as written in YAML, after schema defaults are filled in. */
export type RealServerSection = Static<typeof REALSERVER_SCHEMA>;

let compiled: ValidateFunction<RealServerSection> | undefined;

function validateSection(section: unknown): section is RealServerSection {
  compiled ??= createConfigAjv().compile<RealServerSection>(REALSERVER_SCHEMA);
  return compiled(section);
}

function durationMs(text: string): number {
  const ms = parseDurationMs(text);
  if (ms === null) throw new Error(`not a duration: ${text}`);
  return ms;
}

/**
 * Validates a raw section (parsed YAML) and returns the config the role works with.
 * Throws REALSERVER_CONFIG_INVALID naming every offending field.
 */
export function parseRealServerSection(raw: unknown): RealServerConfig {
  // Defaults are written into the object ajv checks; never into the caller's.
  const section: unknown = structuredClone(raw);
  if (!validateSection(section)) {
    const details = (compiled?.errors ?? [])
      .map((e) => `realserver${e.instancePath.replaceAll('/', '.')} ${e.message ?? 'is invalid'}`)
      .join('; ');
    throw new RealServerError('REALSERVER_CONFIG_INVALID', details);
  }
  return toRealServerConfig(section);
}

/** For a section the daemon's own schema (embedding REALSERVER_SCHEMA) already validated. */
export function toRealServerConfig(section: RealServerSection): RealServerConfig {
  const vips = section.vips.map(normalizeIp);
  const duplicate = vips.find((vip, index) => vips.indexOf(vip) !== index);
  if (duplicate !== undefined) {
    throw new RealServerError(
      'REALSERVER_CONFIG_INVALID',
      `realserver.vips lists ${duplicate} twice (in different spellings)`,
    );
  }
  if (section.interfaces.includes('lo')) {
    throw new RealServerError(
      'REALSERVER_CONFIG_INVALID',
      'realserver.interfaces must list the LAN interfaces, not lo',
    );
  }
  const checkIntervalMs = durationMs(section.check_interval);
  if (checkIntervalMs < 100) {
    throw new RealServerError(
      'REALSERVER_CONFIG_INVALID',
      `realserver.check_interval must be at least 100ms, not ${section.check_interval}`,
    );
  }
  return {
    vips,
    interfaces: [...section.interfaces],
    arpIgnore: section.arp_ignore,
    arpAnnounce: 2,
    label: section.label,
    repair: section.repair,
    checkIntervalMs,
    rpFilter: section.rp_filter,
    clientProbes: section.client_probes.map(normalizeIp),
    stateFile: section.state_file,
    ...(section.sysctl_file === undefined ? {} : { sysctlFile: section.sysctl_file }),
  };
}
