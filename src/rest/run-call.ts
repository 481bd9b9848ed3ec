/**
 * The core of `b24lab call`: opens a client, sends one method with the parsed parameters through the
 * limiter and the retry policy, returns the envelope (result, total, next, time), closes the client.
 */
import type { ClientOptions, Envelope } from './client.js';
import { createClient } from './client.js';
import { parseCallParams } from './call-params.js';

export async function runCall(
  options: ClientOptions,
  method: string,
  args: string[],
  signal?: AbortSignal,
): Promise<Envelope<unknown>> {
  const params = parseCallParams(args);
  const client = createClient(options);
  try {
    return await client.callEnvelope(method, params, signal ? { signal } : {});
  } finally {
    client.close();
  }
}
