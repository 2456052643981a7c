// Structural validation against CONFIG_SCHEMA with ajv (all errors, defaults filled in), and
// translation of ajv's errors into problems an operator can act on.

import type { ErrorObject, ValidateFunction } from 'ajv';
import { INTERFACE_NAME_RULE } from '@vipd/arp';
import { createConfigAjv } from './ajv.js';
import { DURATION_PATTERN, durationUnitHint } from './duration.js';
import { unknownKeyMessage } from './key-suggestion.js';
import { CONFIG_SCHEMA, TRACKER_TYPES } from './schema.js';
import { asJsonSchema, type JsonSchema } from './schema-kit.js';
import { obj } from './unchecked.js';

export interface SchemaProblem {
  /** Path segments into the document. */
  readonly path: readonly (string | number)[];
  /** The problem is about this key of the object at `path` (unknown key). */
  readonly key?: string;
  readonly message: string;
}

const FORMAT_MESSAGES: Record<string, string> = {
  vip: 'must be an IPv4 or IPv6 address with an optional prefix length, e.g. 10.0.0.10/24 or fd00::10/64',
  'listen-address': 'must be ip:port, e.g. 10.0.0.1:7410 or [fd00::1]:7410',
  'peer-address': 'must be host:port, e.g. 10.0.0.2:7410, [fd00::2]:7410 or node2.example:7410',
  'interface-name': `must be a Linux interface name (${INTERFACE_NAME_RULE})`,
  'http-url': 'must be an http:// or https:// URL',
  'webhook-url': 'must be an http:// or https:// URL without user:password@',
  'host-name': 'must be a DNS name without port or scheme, e.g. vipd-1.example',
  ipv4: 'must be an IPv4 address',
  ipv6: 'must be an IPv6 address',
};

let compiled: ValidateFunction | undefined;

/** The whole config schema, every role's section included, as plain JSON Schema. */
export function fullConfigSchema(): JsonSchema {
  return asJsonSchema(CONFIG_SCHEMA);
}

function validator(): ValidateFunction {
  compiled ??= createConfigAjv().compile(fullConfigSchema());
  return compiled;
}

/** Validates `data` in place (defaults are filled in) and returns every problem found. */
export function validateAgainstSchema(data: unknown): SchemaProblem[] {
  const validate = validator();
  if (validate(data)) return [];
  const problems = mergeAnyOf(validate.errors ?? []).flatMap((error) => describeError(error, data));
  const seen = new Set<string>();
  return problems.filter((p) => {
    const id = JSON.stringify([p.path, p.key, p.message]);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * ajv reports a failed anyOf as one error per branch plus "must match a schema in anyOf";
 * fold them into one: "must be an IPv4 address or an IPv6 address".
 */
function mergeAnyOf(errors: readonly ErrorObject[]): ErrorObject[] {
  const anyOfPaths = new Set(
    errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath),
  );
  const branchMessages = new Map<string, string[]>();
  const rest = errors.filter((e) => {
    if (!anyOfPaths.has(e.instancePath) || e.keyword !== 'format') return true;
    const format = String((e.params as Record<string, unknown>)['format']);
    const text = (FORMAT_MESSAGES[format] ?? `match format ${format}`).replace(/^must be /, '');
    branchMessages.set(e.instancePath, [...(branchMessages.get(e.instancePath) ?? []), text]);
    return false;
  });
  return rest.map((e) => {
    const branches = branchMessages.get(e.instancePath);
    if (e.keyword !== 'anyOf' || branches === undefined) return e;
    return { ...e, keyword: 'anyOf-merged', message: `must be ${branches.join(' or ')}` };
  });
}

function pointerToPath(pointer: string, data: unknown): (string | number)[] {
  if (pointer === '') return [];
  const segments: (string | number)[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(segment);
      segments.push(index);
      node = node[index];
    } else {
      segments.push(segment);
      node =
        node !== null && typeof node === 'object'
          ? (node as Record<string, unknown>)[segment]
          : undefined;
    }
  }
  return segments;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string "${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`;
  }
  return typeof value;
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  null: 'null',
};

function describeError(error: ErrorObject, data: unknown): SchemaProblem[] {
  const path = pointerToPath(error.instancePath, data);
  const value = valueAt(data, path);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const known = Object.keys(obj(schemaOf(error)?.['properties']) ?? {});
      return [{ path, key, message: unknownKeyMessage(key, known) }];
    }
    case 'required':
      return [{ path, message: `missing required key "${String(params['missingProperty'])}"` }];
    case 'type':
      return [{ path, message: typeMessage(error, value) }];
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return [
        {
          path,
          message: `must be ${String(params['comparison'])} ${String(params['limit'])} (got ${String(value)})`,
        },
      ];
    case 'minItems':
      return [{ path, message: `must list at least ${String(params['limit'])} item(s)` }];
    case 'maxItems':
      return [{ path, message: `must list at most ${String(params['limit'])} items` }];
    case 'minLength':
      return [{ path, message: 'must not be empty' }];
    case 'maxLength':
      return [{ path, message: `must be at most ${String(params['limit'])} characters` }];
    case 'uniqueItems':
      return [
        {
          path: [...path, Number(params['i'])],
          message: `duplicate of item ${String(params['j'])}`,
        },
      ];
    case 'enum':
      return [
        {
          path,
          message: `must be one of: ${(params['allowedValues'] as unknown[]).map(String).join(', ')} (got ${typeName(value)})`,
        },
      ];
    case 'pattern':
      return [{ path, message: patternMessage(String(params['pattern']), value) }];
    case 'format':
      return [
        {
          path,
          message: `${FORMAT_MESSAGES[String(params['format'])] ?? `must match format ${String(params['format'])}`} (got ${typeName(value)})`,
        },
      ];
    case 'durationRange':
      return [{ path, message: error.message ?? 'duration out of range' }];
    case 'anyOf-merged':
      return [{ path, message: `${error.message ?? 'is invalid'} (got ${typeName(value)})` }];
    case 'discriminator':
      return [{ path, message: discriminatorMessage(params, value) }];
    case 'oneOf':
    case 'const':
      // Reported more precisely by the branch the discriminator picked.
      return [];
    default:
      return [{ path, message: error.message ?? `fails ${error.keyword}` }];
  }
}

/**
 * The schema an error's keyword belongs to (the object that has `additionalProperties`, the
 * string that has `type`), found by following ajv's schemaPath into the config schema.
 */
function schemaOf(error: ErrorObject): JsonSchema | undefined {
  const segments = error.schemaPath.replace(/^#\//, '').split('/').slice(0, -1);
  let node: unknown = fullConfigSchema();
  for (const segment of segments) {
    const container = Array.isArray(node) ? (node as unknown[]) : obj(node);
    if (container === undefined) return undefined;
    node = Array.isArray(container)
      ? container[Number(segment)]
      : container[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return obj(node);
}

function typeMessage(error: ErrorObject, value: unknown): string {
  const expected = String((error.params as Record<string, unknown>)['type']);
  if (schemaOf(error)?.['pattern'] === DURATION_PATTERN) {
    const hint = durationUnitHint(value);
    return `must be a duration, got ${typeName(value)}${hint === undefined ? '' : `: ${hint}`}`;
  }
  return `must be ${TYPE_WORDS[expected] ?? expected}, got ${typeName(value)}`;
}

function patternMessage(pattern: string, value: unknown): string {
  if (pattern === DURATION_PATTERN) {
    const hint = durationUnitHint(value);
    return `must be a duration with a unit (ms, s, m, h), e.g. 100ms, 2s or 1m (got ${typeName(value)})${hint === undefined ? '' : `: ${hint}`}`;
  }
  return `must be letters, digits, "_", "." or "-", starting with a letter or digit, at most 63 characters (got ${typeName(value)})`;
}

function discriminatorMessage(params: Record<string, unknown>, value: unknown): string {
  const types = TRACKER_TYPES.join(', ');
  const tag = String(params['tag']);
  const given =
    value !== null && typeof value === 'object'
      ? (value as Record<string, unknown>)[tag]
      : undefined;
  if (given === undefined) return `missing required key "${tag}" (one of: ${types})`;
  return `unknown tracker ${tag} ${JSON.stringify(given)}; one of: ${types}`;
}
