// The one Ajv setup for every part of the config (the daemon's file and the real-server
// section alike): all errors, defaults filled in, and vipd's formats and keywords, each
// backed by the parser that owns the grammar.

import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { isInterfaceName } from '@vipd/arp';
import { isHostName, readHostPort } from '@vipd/heartbeat';
import { LISTEN_ADDRESS, PEER_ADDRESS, parseVip } from './addresses.js';
import { parseDurationMs } from './duration.js';

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** fetch() refuses a URL with credentials in it, so the config does first, by name. */
function isWebhookUrl(text: string): boolean {
  return isHttpUrl(text) && new URL(text).username === '' && new URL(text).password === '';
}

interface DurationRange {
  readonly min: string;
  readonly max: string;
}

type RangeValidator = ((range: DurationRange, data: string) => boolean) & {
  errors?: Partial<ErrorObject>[];
};

const checkDurationRange: RangeValidator = (range, data) => {
  const ms = parseDurationMs(data);
  // A malformed duration is reported by `pattern`; only judge well-formed ones here.
  if (ms === null) return true;
  const min = parseDurationMs(range.min) ?? 0;
  const max = parseDurationMs(range.max) ?? Number.POSITIVE_INFINITY;
  if (ms >= min && ms <= max) return true;
  checkDurationRange.errors = [
    {
      keyword: 'durationRange',
      message: `must be between ${range.min} and ${range.max} (got ${data})`,
      params: { range },
    },
  ];
  return false;
};

/** A fresh Ajv that knows vipd's formats and keywords; compile schemas with it. */
export function createConfigAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    discriminator: true,
    strict: true,
    strictRequired: false,
  });
  addFormats.default(ajv, ['ipv4', 'ipv6']);
  ajv.addFormat('vip', (text: string) => parseVip(text) !== null);
  ajv.addFormat('listen-address', (text: string) => readHostPort(text, LISTEN_ADDRESS) !== null);
  ajv.addFormat('peer-address', (text: string) => readHostPort(text, PEER_ADDRESS) !== null);
  ajv.addFormat('interface-name', isInterfaceName);
  ajv.addFormat('http-url', isHttpUrl);
  ajv.addFormat('host-name', isHostName);
  ajv.addFormat('webhook-url', isWebhookUrl);
  ajv.addVocabulary(['envOverride']);
  ajv.addKeyword({
    keyword: 'durationRange',
    type: 'string',
    schemaType: 'object',
    errors: true,
    validate: checkDurationRange,
  });
  return ajv;
}
