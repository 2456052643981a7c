// Which node ids a TLS certificate speaks for. The CA vouches for the certificate; this
// ties it to node ids, so that one node's certificate cannot carry another node's frames
// (README "TLS"): a URI subjectAltName `vipd:node/<id>` names a node (percent-encoded
// like any URI); a certificate without one names the node its subject CN spells.

/** The parts of tls.PeerCertificate read here. */
export interface CertificateNames {
  readonly subject?: { readonly CN?: string | readonly string[] } | undefined;
  /** "DNS:a, IP Address:10.0.0.1, URI:vipd:node/a" as Node formats it. */
  readonly subjectaltname?: string | undefined;
}

export const NODE_URI_PREFIX = 'vipd:node/';

/** The node ids `certificate` names; empty when it names none. */
export function certificateNodeIds(certificate: CertificateNames): string[] {
  const fromUris = subjectAltNames(certificate.subjectaltname ?? '')
    .filter(([type, value]) => type === 'URI' && value.startsWith(NODE_URI_PREFIX))
    .flatMap(([, value]) => {
      try {
        return [decodeURIComponent(value.slice(NODE_URI_PREFIX.length))];
      } catch {
        return []; // malformed percent-encoding names nobody
      }
    });
  if (fromUris.length > 0) return fromUris;
  const cn = certificate.subject?.CN;
  // Several CNs are ambiguous: which one would be the node?
  return typeof cn === 'string' && cn !== '' ? [cn] : [];
}

/**
 * [type, value] pairs of Node's subjectaltname string. Since Node 17.3.1 (CVE-2021-44532)
 * a value with a comma, quote or other special character is written as a JSON string
 * literal (`URI:"vipd:node/a\u002cb"`), so no certificate can smuggle in an entry of
 * its own by putting ", URI:..." inside a value.
 */
function subjectAltNames(text: string): [string, string][] {
  const entries: [string, string][] = [];
  const entry = /([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/gy;
  let match: RegExpExecArray | null;
  while ((match = entry.exec(text)) !== null && match[0] !== '') {
    const [, type = '', raw = ''] = match;
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch {
        continue;
      }
    }
    entries.push([type, value]);
  }
  return entries;
}
