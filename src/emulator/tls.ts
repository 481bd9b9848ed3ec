import { generate } from 'selfsigned';

/**
 * A throw-away certificate for `--tls`: clients such as the official JS SDK refuse webhooks over
 * plain http, so the local portal can serve https and print the file for NODE_EXTRA_CA_CERTS.
 */
export async function makeSelfSignedCertificate(host: string): Promise<{ key: string; cert: string }> {
  const altNames = [
    { type: 2 as const, value: 'localhost' },
    { type: 7 as const, ip: '127.0.0.1' },
    ...(host !== '127.0.0.1' && host !== 'localhost' ? [{ type: 2 as const, value: host }] : []),
  ];
  const pems = await generate([{ name: 'commonName', value: host }], {
    keyType: 'ec',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
