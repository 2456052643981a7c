// matchInstance: the RFC 5798 §7.1 checks that need the configured virtual router. A VRID that
// is not ours is dropped; an address list that differs from ours is dropped unless the sender
// owns the addresses (priority 255), like keepalived ("ip address associated with VRID not
// present in MASTER advert"). Lists compare as sets of canonical text, order ignored.
import { canonicalAddress } from './address-bytes.js';
import { VrrpError } from '../errors.js';
import { OWNER_PRIORITY } from './layout.js';
import { reject } from './reject.js';
import type { Advert, DecodeResult } from './types.js';

export interface InstanceAddresses {
  readonly vrid: number;
  /** The VIPs; a "/prefix" suffix, as config writes them, is ignored. */
  readonly addresses: readonly string[];
}

function canonicalList(addresses: readonly string[]): string[] {
  return addresses
    .map((text) => {
      const address = text.replace(/\/\d+$/, '');
      const canonical = canonicalAddress(address);
      if (canonical === undefined) {
        throw new VrrpError('INVALID_ADDRESS', `instance address "${text}" is not an IP address`);
      }
      return canonical;
    })
    .sort();
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((address, i) => address === b[i]);
}

export function matchInstance(advert: Advert, instance: InstanceAddresses): DecodeResult {
  if (advert.vrid !== instance.vrid) {
    return reject(
      'vrid',
      `advert for VRID ${advert.vrid}; this virtual router is VRID ${instance.vrid}`,
    );
  }
  if (advert.priority === OWNER_PRIORITY) return { ok: true, advert };
  const advertised = canonicalList(advert.addresses);
  const configured = canonicalList(instance.addresses);
  if (!sameList(advertised, configured)) {
    return reject(
      'address-list',
      `VRID ${advert.vrid} advert lists [${advertised.join(', ')}], this router has ` +
        `[${configured.join(', ')}]; only the address owner (priority 255) may differ`,
    );
  }
  return { ok: true, advert };
}
