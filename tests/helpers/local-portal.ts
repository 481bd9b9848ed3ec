import type { Clock } from '../../src/clock.js';
import type { LocalPortal, LocalPortalOptions } from '../../src/emulator/start-local-portal.js';
import { startLocalPortal } from '../../src/emulator/start-local-portal.js';
import { buildPhpQuery } from '../../src/emulator/protocol/php-params.js';

/** Starts a local portal on a free loopback port for one test file. */
export async function portalForTest(options: LocalPortalOptions = {}): Promise<LocalPortal> {
  return startLocalPortal({ port: 0, host: '127.0.0.1', ...options });
}

export type Encoding = 'json' | 'form' | 'get';

export interface RawAnswer {
  status: number;
  body: any;
}

/**
 * A raw Bitrix24 call over real HTTP, with the body encoding a test chooses: JSON, PHP-style
 * form-urlencoded, or a GET query string. Tests of the protocol use this; b24lab code uses src/rest/.
 */
export async function rawCall(
  base: string,
  method: string,
  params: Record<string, unknown> = {},
  encoding: Encoding = 'json',
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const url = base.endsWith('/') ? `${base}${method}` : `${base}/${method}`;
  let response: Response;
  if (encoding === 'get') {
    const qs = buildPhpQuery(params);
    response = await fetch(qs ? `${url}?${qs}` : url, { headers });
  } else if (encoding === 'form') {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: buildPhpQuery(params),
    });
  } else {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(params),
    });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body };
}

/** Calls a method and returns `result`, failing the test with the error envelope otherwise. */
export async function callOk(
  base: string,
  method: string,
  params: Record<string, unknown> = {},
  encoding: Encoding = 'json',
): Promise<any> {
  const answer = await rawCall(base, method, params, encoding);
  if (answer.status !== 200 || answer.body?.error !== undefined) {
    throw new Error(`${method} failed: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body.result;
}

/**
 * A stopped clock for the local portal: its time then moves only by `b24lab.clock.*`, so durations a
 * test works out by hand (8 days, not 8 days and the second the setup took) hold on a loaded machine.
 */
export function frozenClock(start = Date.parse('2026-01-01T00:00:00Z')): Clock {
  return { now: () => start, sleep: () => Promise.resolve() };
}
