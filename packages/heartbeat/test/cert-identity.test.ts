// Which node ids a certificate names, from the subjectaltname and subject that Node's
// getPeerCertificate() returns. The strings are Node 20's own output for certificates made
// with openssl (one with a URI holding a comma, which Node writes as a JSON string).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { certificateNodeIds, type CertificateNames } from '../src/cert-identity.js';

describe('certificateNodeIds', () => {
  const table: { name: string; certificate: CertificateNames; ids: string[] }[] = [
    {
      name: 'the subject CN when there is no vipd:node URI',
      certificate: { subject: { CN: 'n1' }, subjectaltname: 'IP Address:10.0.0.1, DNS:n1.example' },
      ids: ['n1'],
    },
    {
      name: 'the vipd:node URIs, and then not the CN',
      certificate: {
        subject: { CN: 'other' },
        subjectaltname: 'IP Address:127.0.0.1, URI:vipd:node/b, URI:vipd:node/x%2Cy, DNS:a.example',
      },
      ids: ['b', 'x,y'],
    },
    {
      name: 'a URI Node wrote as a JSON string, without splitting it at its comma',
      certificate: {
        subject: { CN: 'other' },
        subjectaltname: 'URI:"vipd:node/a\\u002c URI:vipd:node/c", DNS:a.example',
      },
      ids: ['a, URI:vipd:node/c'],
    },
    {
      name: 'no URI of another scheme',
      certificate: { subject: { CN: 'n1' }, subjectaltname: 'URI:https://n2.example/' },
      ids: ['n1'],
    },
    {
      name: 'nobody for a malformed percent-encoding (and then the CN)',
      certificate: { subject: { CN: 'n1' }, subjectaltname: 'URI:vipd:node/%zz' },
      ids: ['n1'],
    },
    {
      name: 'nobody for several CNs',
      certificate: { subject: { CN: ['n1', 'n2'] } },
      ids: [],
    },
    {
      name: 'nobody for a certificate without subject (no client certificate)',
      certificate: {},
      ids: [],
    },
  ];
  for (const { name, certificate, ids } of table) {
    it(name, () => {
      assert.deepEqual(certificateNodeIds(certificate), ids);
    });
  }
});
