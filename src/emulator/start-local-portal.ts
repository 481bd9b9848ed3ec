import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { Logger } from '../ui/logger.js';
import { silentLogger } from '../ui/logger.js';
import { createRequestHandler } from './http/server.js';
import { allMethodModules } from './methods/index.js';
import { Portal } from './portal.js';
import type { BucketSpec } from './request-limit.js';
import { RATE_LIMITS } from './request-limit.js';
import { makeSelfSignedCertificate } from './tls.js';

/** The fixed, documented demo secret of the local portal's webhook (not a secret: it only opens a local portal). */
export const DEMO_WEBHOOK_TOKEN = 'b24lab-local-demo-token';
export const DEMO_OAUTH_CLIENT_ID = 'local.b24lab';
export const DEMO_OAUTH_CLIENT_SECRET = 'b24lab-local-client-secret';
export const DEFAULT_PORTAL_PORT = 3789;

export type RateLimitName = 'off' | 'standard' | 'enterprise';

export interface LocalPortalOptions {
  /** 0 = a free port. */
  port?: number;
  host?: string;
  /** SQLite file; in-memory when absent. */
  data?: string;
  user?: number;
  token?: string;
  rateLimit?: RateLimitName | BucketSpec;
  /** Per-method operating budget in seconds (10-minute window); off when absent. */
  operatingLimit?: number;
  latencyMs?: number;
  faults?: string;
  faultSeed?: number;
  /** Serve https with a self-signed certificate made at start. */
  tls?: boolean;
  timezoneOffsetMinutes?: number;
  accessTokenTtl?: number;
  logger?: Logger;
  clock?: Clock;
}

export interface LocalPortal {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `http://127.0.0.1:PORT/rest/1/TOKEN/` */
  webhookUrl: string;
  port: number;
  portal: Portal;
  /** With `tls`: the certificate file to pass as NODE_EXTRA_CA_CERTS. */
  caCertFile?: string;
  close(): Promise<void>;
}

export function resolveRateLimit(value: RateLimitName | BucketSpec | undefined): BucketSpec | undefined {
  if (value === undefined || value === 'off') return undefined;
  return typeof value === 'string' ? RATE_LIMITS[value] : value;
}

export async function startLocalPortal(options: LocalPortalOptions = {}): Promise<LocalPortal> {
  const clock = options.clock ?? systemClock;
  const host = options.host ?? '127.0.0.1';
  const user = options.user ?? 1;
  const token = options.token ?? DEMO_WEBHOOK_TOKEN;
  const rateLimit = resolveRateLimit(options.rateLimit);
  const portal = new Portal(
    {
      user,
      token,
      timezoneOffsetMinutes: options.timezoneOffsetMinutes ?? 180,
      ...(options.operatingLimit !== undefined ? { operatingLimitSeconds: options.operatingLimit } : {}),
      oauthClientId: DEMO_OAUTH_CLIENT_ID,
      oauthClientSecret: DEMO_OAUTH_CLIENT_SECRET,
      accessTokenTtl: options.accessTokenTtl ?? 3600,
    },
    allMethodModules(),
    {
      ...(options.data !== undefined ? { data: options.data } : {}),
      realClock: clock,
      faults: options.faults ?? '',
      faultSeed: options.faultSeed ?? 1,
      ...(rateLimit ? { rateLimit } : {}),
    },
  );
  const handler = createRequestHandler({
    portal,
    logger: options.logger ?? silentLogger,
    latencyMs: options.latencyMs ?? 0,
    sleep: (ms) => clock.sleep(ms),
  });
  const listener = (req: Parameters<typeof handler>[0], res: Parameters<typeof handler>[1]): void => {
    void handler(req, res);
  };
  let server: Server;
  let caCertFile: string | undefined;
  if (options.tls) {
    const cert = await makeSelfSignedCertificate(host);
    const dir = mkdtempSync(join(tmpdir(), 'b24lab-tls-'));
    caCertFile = join(dir, 'local-portal.crt');
    writeFileSync(caCertFile, cert.cert);
    server = createHttpsServer({ key: cert.key, cert: cert.cert }, listener);
  } else {
    server = createServer(listener);
  }
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORTAL_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `${options.tls ? 'https' : 'http'}://${shownHost}:${port}`;
  portal.baseUrl = url;
  return {
    url,
    webhookUrl: `${url}/rest/${user}/${token}/`,
    port,
    portal,
    ...(caCertFile ? { caCertFile } : {}),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          portal.close();
          resolve();
        });
      }),
  };
}
