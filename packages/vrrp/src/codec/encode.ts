// encodeAdvert: the VRRPv3 message a master sends, ready for a raw socket (the kernel adds the
// IP header). Fields outside their wire range throw VrrpError: they are our bug or bad
// config, and must never reach a peer. Reserved bits go out as zero (RFC 5798 §5.2.6).
import { addressToBytes, familyOfText } from './address-bytes.js';
import { vrrpChecksum } from './checksum.js';
import { VrrpError, type VrrpErrorCode } from '../errors.js';
import { writeAddresses, writeCommonHeader } from './header.js';
import {
  MAX_ADDRESSES,
  MAX_INTERVAL_CS,
  MAX_PRIORITY,
  MAX_VRID,
  OFFSET_CHECKSUM,
  OFFSET_INTERVAL,
  TYPE_ADVERTISEMENT,
  VRRP_VERSION_3,
  advertBytes,
} from './layout.js';
import type { AdvertFields, IpFamily, PacketAddressing } from './types.js';

function requireInteger(
  code: VrrpErrorCode,
  what: string,
  value: number,
  min: number,
  max: number,
): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new VrrpError(code, `${what} ${value} is not an integer ${min}-${max}`);
  }
}

/** The type says 4 | 6, but addressing may come from untyped config or JSON. */
function requireFamily(family: unknown): asserts family is IpFamily {
  if (family !== 4 && family !== 6) {
    throw new VrrpError('INVALID_FAMILY', `packet family ${String(family)} is neither 4 nor 6`);
  }
}

/** The address's bytes, after checking it is text of the packet's family. */
function addressOfFamily(text: string, family: IpFamily, role: string): number[] {
  if (familyOfText(text) !== family) {
    throw new VrrpError(
      'INVALID_ADDRESS',
      `${role} "${text}" is not an IPv${family} address (an advert carries one family only)`,
    );
  }
  return addressToBytes(text);
}

function checkFields(fields: AdvertFields): void {
  requireInteger('INVALID_VRID', 'VRID', fields.vrid, 1, MAX_VRID);
  requireInteger('INVALID_PRIORITY', 'priority', fields.priority, 0, MAX_PRIORITY);
  requireInteger(
    'INVALID_INTERVAL',
    'max advert interval (cs)',
    fields.maxAdvertIntervalCs,
    1,
    MAX_INTERVAL_CS,
  );
  const count = fields.addresses.length;
  if (count < 1 || count > MAX_ADDRESSES) {
    // RFC 5798 §5.2.5: at least one; the count is one byte.
    throw new VrrpError(
      'INVALID_ADDRESS_COUNT',
      `an advert carries 1-${MAX_ADDRESSES} addresses, got ${count}`,
    );
  }
}

/** The VRRPv3 payload (no IP header), checksummed over the IPv4 or IPv6 pseudo-header. */
export function encodeAdvert(fields: AdvertFields, addressing: PacketAddressing): Buffer {
  const { family } = addressing;
  requireFamily(family);
  checkFields(fields);
  const pseudo = {
    source: addressOfFamily(addressing.sourceAddress, family, 'source address'),
    destination: addressOfFamily(addressing.destinationAddress, family, 'destination address'),
  };
  const addresses = fields.addresses.map((address, i) =>
    addressOfFamily(address, family, `virtual address ${i + 1}`),
  );
  const message = Buffer.alloc(advertBytes(family, addresses.length));
  writeCommonHeader(message, {
    version: VRRP_VERSION_3,
    type: TYPE_ADVERTISEMENT,
    vrid: fields.vrid,
    priority: fields.priority,
    addressCount: addresses.length,
  });
  message.writeUInt16BE(fields.maxAdvertIntervalCs, OFFSET_INTERVAL);
  writeAddresses(message, family, addresses);
  message.writeUInt16BE(vrrpChecksum(message, pseudo), OFFSET_CHECKSUM);
  return message;
}
