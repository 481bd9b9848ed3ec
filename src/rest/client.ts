/**
 * The REST client of b24lab: the one way the rest of the program talks to a portal.
 *
 *   const client = createClient({ connection: resolveConnection(flags.portal, env), stateDir, clock });
 *   const user = await client.call<{ ID: string }>('user.current');
 *   const outcomes = await client.batch(ids.map((id) => ({ method: 'crm.deal.update', params: { id, fields } })));
 *   for await (const deal of client.list('crm.deal.list', { filter: { STAGE_ID: 'NEW' }, select: ['ID', 'TITLE'] })) ...
 *   const summary = await client.export('crm.deal.list', {}, (row) => sink.write(row), { onProgress });
 *   client.close();
 *
 * - `call(method, params)` -> the `result` (`callEnvelope` also gives `total`, `next`, `time`).
 * - `batch(calls)` -> one outcome per call, `{ ok, result | error }`, in input order (or keyed like the
 *   input record); any number of calls, 50 per request, `halt=0` (batch.ts).
 * - `list(method, params)` -> an async iterable of rows, 2,500 per request where the method allows,
 *   with a count check at the end (list.ts, list-table.ts); `export` is the same with a row callback
 *   and the summary as the result.
 * Every failure is a `B24Error` (errors.ts). Every request passes the shared limiter (rate-gate.ts:
 * the portal's 50/2 bucket and the per-method operating budget), so the portal never refuses; failed
 * calls are retried per retry-policy.ts (reads on transient errors, writes only when provably not run).
 * OAuth access tokens are refreshed on `expired_token`, once for all concurrent callers (connection.ts).
 */
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { Logger } from '../ui/logger.js';
import type { BatchAnswer, BatchCall, BatchDeps, BatchOptions, BatchOutcome } from './batch.js';
import { readBatchAnswer, runBatch, runBatchKeyed } from './batch.js';
import type { Connection, ConnectionConfig, TokenAnswer, TokenRequester } from './connection.js';
import { openConnection } from './connection.js';
import type { Redactor } from './errors.js';
import {
  B24Error,
  LOCAL_CODES,
  abortedError,
  errorFromEnvelope,
  notJsonError,
  sleepOrAbort,
} from './errors.js';
import type { BucketSpec } from './limiter.js';
import { parseRateLimit } from './limiter.js';
import type { ListDeps, ListOptions, ListSummary, RowStream } from './list.js';
import { streamList } from './list.js';
import { isReadBatch, isReadMethod } from './method-kind.js';
import type { OperatingSpec, OperatingTime } from './operating-budget.js';
import { readOperating } from './operating-budget.js';
import type { GateStore } from './rate-gate.js';
import { MemoryGateStore, RateGate, SqliteGateStore } from './rate-gate.js';
import type { RetryOptions } from './retry-policy.js';
import { DEFAULT_RETRY, decide } from './retry-policy.js';
import { DOWNLOAD_METHOD, authorizeDownload, dispositionName } from './download-url.js';
import type { HttpAnswer, Transport } from './transport.js';
import { createTransport } from './transport.js';

export type Params = Record<string, unknown>;

export interface ClientOptions {
  connection: ConnectionConfig;
  /** The state directory: the shared limiter (ratelimit.sqlite) and OAuth tokens. Absent: memory only. */
  stateDir?: string;
  /** `standard` (default, 50/2), `enterprise` (250/5), `off` (box portals), `BURST/DRAIN` or a spec. */
  rateLimit?: string | BucketSpec;
  operating?: OperatingSpec;
  retry?: Partial<RetryOptions>;
  /** Batch requests in flight at once for `batch()` (the limiter paces them anyway). Default 4. */
  concurrency?: number;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  /** Fake or tuned HTTP (tests of odd answers); by default axios with keep-alive. */
  transport?: Transport;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the method table (method-kind.ts): true = safe to repeat. */
  read?: boolean;
}

export interface Envelope<T> {
  result: T;
  total?: number;
  next?: number;
  time?: Record<string, unknown>;
}

export interface ClientStats {
  /** HTTP requests sent to REST methods (a batch is one). */
  requests: number;
  /** Of those, repeats after a failure. */
  retries: number;
  /** 503 QUERY_LIMIT_EXCEEDED answers seen (should stay 0: the limiter books ahead). */
  refused503: number;
  /** Time spent waiting in the limiter, ms. */
  limiterWaitMs: number;
  /** OAuth refreshes performed by this client. */
  refreshes: number;
}

export interface B24Client {
  /** The portal's origin (`https://example.bitrix24.ru`), for messages. */
  readonly portal: string;
  call<T = unknown>(method: string, params?: Params, options?: CallOptions): Promise<T>;
  callEnvelope<T = unknown>(method: string, params?: Params, options?: CallOptions): Promise<Envelope<T>>;
  batch<T = unknown>(calls: BatchCall[], options?: BatchOptions): Promise<BatchOutcome<T>[]>;
  batch<T = unknown>(
    calls: Record<string, BatchCall>,
    options?: BatchOptions,
  ): Promise<Record<string, BatchOutcome<T>>>;
  list<T = Record<string, unknown>>(method: string, params?: Params, options?: ListOptions): RowStream<T>;
  export<T = Record<string, unknown>>(
    method: string,
    params: Params,
    write: (row: T) => void | Promise<void>,
    options?: ListOptions,
  ): Promise<ListSummary>;
  /**
   * Downloads a file by a link the portal gave (`urlMachine`, `DOWNLOAD_URL`), with this client's
   * auth applied (download-url.ts), through the limiter and the read retry policy. A link off the
   * portal is refused; errors never quote the link (it may hold a token).
   */
  download(url: string, options?: { signal?: AbortSignal }): Promise<DownloadedFile>;
  stats(): ClientStats;
  close(): void;
}

export interface DownloadedFile {
  content: Buffer;
  /** From Content-Disposition, when the portal names the file. */
  name?: string;
  contentType: string;
}

interface Raw {
  result?: unknown;
  error?: unknown;
  error_description?: unknown;
  total?: unknown;
  next?: unknown;
  time?: OperatingTime & Record<string, unknown>;
}

/** Turns an HTTP answer into the parsed envelope, or throws the B24Error it stands for. */
export function readEnvelope(
  method: string,
  answer: HttpAnswer,
  auth: 'webhook' | 'oauth',
  redact: Redactor,
): Raw {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw notJsonError(method, answer.status, answer.text, answer.contentType, redact);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw notJsonError(method, answer.status, answer.text, answer.contentType, redact);
  }
  const raw = body as Raw;
  // An error envelope, even with HTTP 200 (a handler may return one as data: §1.3 quirk).
  if ('error' in raw && !('result' in raw)) {
    throw errorFromEnvelope(raw, { method, httpStatus: answer.status, auth, redact });
  }
  if (answer.status >= 400 || !('result' in raw)) {
    throw new B24Error({
      method,
      code: `HTTP_${answer.status}`,
      description: redact(`unexpected answer without a result`),
      httpStatus: answer.status,
      retryable: answer.status >= 500,
    });
  }
  return raw;
}

export function createClient(options: ClientOptions): B24Client {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const transport = options.transport ?? createTransport();
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...options.retry };
  const stats: ClientStats = { requests: 0, retries: 0, refused503: 0, limiterWaitMs: 0, refreshes: 0 };

  const requestToken: TokenRequester = async (server, query, redact) => {
    const answer = await transport.request(
      {
        method: 'POST',
        url: `${server}?${new URLSearchParams(query).toString()}`,
        restMethod: 'oauth.token',
      },
      redact,
    );
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(answer.text) as Record<string, unknown>;
    } catch {
      throw notJsonError('oauth.token', answer.status, answer.text, answer.contentType, redact);
    }
    if (body.error !== undefined || answer.status >= 400 || typeof body.access_token !== 'string') {
      throw errorFromEnvelope(
        {
          error: body.error ?? `HTTP_${answer.status}`,
          error_description: body.error_description ?? 'no token in the answer',
        },
        { method: 'oauth.token', httpStatus: answer.status, auth: 'oauth', redact },
      );
    }
    stats.refreshes++;
    return body as unknown as TokenAnswer;
  };

  const conn: Connection = openConnection(options.connection, {
    ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    requestToken,
    now: () => clock.now(),
  });
  let bucket: BucketSpec | undefined;
  try {
    bucket = parseRateLimit(options.rateLimit);
  } catch (e) {
    throw new B24Error({
      method: '',
      code: LOCAL_CODES.usage,
      description: `--rate-limit: ${(e as Error).message}`,
      httpStatus: 0,
      retryable: false,
    });
  }
  const store: GateStore =
    options.stateDir !== undefined ? new SqliteGateStore(options.stateDir) : new MemoryGateStore();
  const gate = new RateGate({
    store,
    clock,
    bucket,
    ...(options.operating ? { operating: options.operating } : {}),
    portalKey: conn.origin,
    callerKey: conn.callerKey,
  });

  const recordTime = (method: string, time: unknown): void => {
    const entry = readOperating(time as OperatingTime | undefined);
    if (entry) gate.recordOperating(method, entry);
  };

  /** One REST request with the limiter, token refresh and the retry policy. */
  const request = async (
    method: string,
    params: Params,
    read: boolean,
    gateMethods: string[],
    signal?: AbortSignal,
  ): Promise<Raw> => {
    let refreshed = false;
    for (let attempt = 0; ;) {
      if (signal?.aborted) throw abortedError(method);
      // The emulator's control methods (b24lab.*) are outside its bucket; a real portal has none.
      if (!method.toLowerCase().startsWith('b24lab.')) await gate.acquire(gateMethods, signal);
      const token = await conn.accessToken();
      stats.requests++;
      if (attempt > 0) stats.retries++;
      try {
        const answer = await transport.request(
          {
            method: 'POST',
            url: conn.url(method),
            body: token ? { ...params, auth: token } : params,
            restMethod: method,
            ...(signal ? { signal } : {}),
          },
          conn.redact,
        );
        const raw = readEnvelope(method, answer, conn.kind, conn.redact);
        recordTime(method, raw.time);
        return raw;
      } catch (e) {
        if (!(e instanceof B24Error)) throw e;
        const code = e.codeLower;
        if ((code === 'expired_token' || code === 'invalid_token') && conn.kind === 'oauth' && !refreshed) {
          refreshed = true;
          await conn.refresh(token);
          continue;
        }
        if (code === 'query_limit_exceeded') {
          stats.refused503++;
          gate.penalize();
        }
        if (code === 'operation_time_limit') {
          const resetAt = gate.operatingResetAt(method);
          const now = clock.now();
          e.retryAfterMs = resetAt !== undefined && resetAt > now ? resetAt - now + 1000 : 60_000;
        }
        const decision = decide(e, attempt, random, { ...retry, read });
        if (!decision.retry) throw e;
        options.logger?.debug('retrying a REST call', {
          method,
          reason: decision.reason,
          delayMs: decision.delayMs,
          attempt: attempt + 1,
        });
        await sleepOrAbort((ms, sig) => clock.sleep(ms, sig), decision.delayMs, method, signal);
        attempt++;
      }
    }
  };

  const sendBatch = async (
    cmd: Record<string, string>,
    methods: string[],
    signal?: AbortSignal,
  ): Promise<BatchAnswer> => {
    const unique = [...new Set(methods.map((m) => m.toLowerCase()))];
    const raw = await request('batch', { halt: 0, cmd }, isReadBatch(unique), unique, signal);
    const answer = readBatchAnswer(raw.result);
    const names = Object.keys(cmd);
    names.forEach((name, i) => {
      const time = answer.time[name];
      if (time !== undefined) recordTime(methods[i] ?? '', time);
    });
    return answer;
  };

  const batchDeps: BatchDeps = {
    send: sendBatch,
    concurrency: Math.max(1, options.concurrency ?? 4),
    redact: conn.redact,
    auth: conn.kind,
    maxAttempts: retry.maxAttempts,
    pause: async (error, attempt, signal) => {
      const resetAt = gate.operatingResetAt(error.method);
      const now = clock.now();
      if (resetAt !== undefined && resetAt > now) error.retryAfterMs = resetAt - now + 1000;
      const decision = decide(error, attempt, random, { ...retry, read: true });
      await sleepOrAbort(
        (ms, sig) => clock.sleep(ms, sig),
        decision.retry ? decision.delayMs : retry.baseDelayMs,
        error.method,
        signal,
      );
    },
  };

  const listDeps: ListDeps = {
    send: sendBatch,
    sleep: (ms, signal) => clock.sleep(ms, signal),
    random,
    retry,
    redact: conn.redact,
    auth: conn.kind,
  };

  const callEnvelope = async <T>(
    method: string,
    params: Params = {},
    opts: CallOptions = {},
  ): Promise<Envelope<T>> => {
    const name = method.trim();
    const read = opts.read ?? isReadMethod(name);
    const raw = await request(name, params, read, [name], opts.signal);
    const total = Number(raw.total);
    const next = Number(raw.next);
    return {
      result: raw.result as T,
      ...(raw.total !== undefined && Number.isFinite(total) ? { total } : {}),
      ...(raw.next !== undefined && Number.isFinite(next) ? { next } : {}),
      ...(raw.time ? { time: raw.time } : {}),
    };
  };

  function batch<T>(calls: BatchCall[], batchOptions?: BatchOptions): Promise<BatchOutcome<T>[]>;
  function batch<T>(
    calls: Record<string, BatchCall>,
    batchOptions?: BatchOptions,
  ): Promise<Record<string, BatchOutcome<T>>>;
  function batch<T>(
    calls: BatchCall[] | Record<string, BatchCall>,
    batchOptions: BatchOptions = {},
  ): Promise<BatchOutcome<T>[] | Record<string, BatchOutcome<T>>> {
    return Array.isArray(calls)
      ? runBatch<T>(calls, batchDeps, batchOptions)
      : runBatchKeyed<T>(calls, batchDeps, batchOptions);
  }

  const download = async (link: string, opts: { signal?: AbortSignal } = {}): Promise<DownloadedFile> => {
    const fetchFile = transport.download?.bind(transport);
    if (!fetchFile) {
      throw new B24Error({
        method: DOWNLOAD_METHOD,
        code: LOCAL_CODES.usage,
        description: 'this transport cannot download files',
        httpStatus: 0,
        retryable: false,
      });
    }
    const signal = opts.signal;
    let refreshed = false;
    for (let attempt = 0; ;) {
      if (signal?.aborted) throw abortedError(DOWNLOAD_METHOD);
      await gate.acquire([DOWNLOAD_METHOD], signal);
      const token = await conn.accessToken();
      const url = authorizeDownload(link, {
        kind: conn.kind,
        origin: conn.origin,
        ...(conn.kind === 'webhook' ? { webhookBase: conn.url('') } : {}),
        ...(token ? { accessToken: token } : {}),
      });
      stats.requests++;
      if (attempt > 0) stats.retries++;
      try {
        const file = await fetchFile(url, DOWNLOAD_METHOD, conn.redact, signal);
        const json = file.contentType.includes('json');
        if (file.status >= 400 || (json && /^\s*\{\s*"error"/.test(file.body.subarray(0, 200).toString()))) {
          // An error envelope (expired token, no access) or a bare HTTP failure.
          const text = file.body.toString('utf8');
          if (json)
            readEnvelope(
              DOWNLOAD_METHOD,
              { status: file.status, text, contentType: file.contentType },
              conn.kind,
              conn.redact,
            );
          throw new B24Error({
            method: DOWNLOAD_METHOD,
            code: `HTTP_${file.status}`,
            description: 'the portal refused the download',
            httpStatus: file.status,
            retryable: file.status >= 500 || file.status === 429,
          });
        }
        const name = dispositionName(file.disposition);
        return { content: file.body, contentType: file.contentType, ...(name ? { name } : {}) };
      } catch (e) {
        if (!(e instanceof B24Error)) throw e;
        const code = e.codeLower;
        if ((code === 'expired_token' || code === 'invalid_token') && conn.kind === 'oauth' && !refreshed) {
          refreshed = true;
          await conn.refresh(token);
          continue;
        }
        const decision = decide(e, attempt, random, { ...retry, read: true });
        if (!decision.retry) throw e;
        await sleepOrAbort((ms, sig) => clock.sleep(ms, sig), decision.delayMs, DOWNLOAD_METHOD, signal);
        attempt++;
      }
    }
  };

  const list = <T>(method: string, params: Params = {}, listOptions: ListOptions = {}): RowStream<T> =>
    streamList<T>(method, params, listDeps, listOptions);

  return {
    portal: conn.origin,
    call: async <T>(method: string, params?: Params, opts?: CallOptions) =>
      (await callEnvelope<T>(method, params, opts)).result,
    callEnvelope,
    batch,
    list,
    export: async <T>(
      method: string,
      params: Params,
      write: (row: T) => void | Promise<void>,
      listOptions: ListOptions = {},
    ) => {
      const stream = list<T>(method, params, listOptions);
      for await (const row of stream) await write(row);
      return { ...stream.summary };
    },
    download,
    stats: () => ({ ...stats, limiterWaitMs: gate.waitedMs }),
    close: () => {
      transport.close();
      gate.close();
    },
  };
}
