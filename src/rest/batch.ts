/**
 * `batch` for any number of calls (reference/bitrix24-rest.md §4): split into requests of at most 50
 * commands (`CRestUtil::BATCH_MAX_LENGTH`), sent with `halt=0` so one failing command does not stop
 * the others, and every result or error keyed back to the caller's input (array in -> array out in the
 * same order; record in -> record out with the same keys).
 *
 * Commands are named `c0`..`c49` inside a request (safe inside `$result[...]` references) and encoded
 * as `method?query` with PHP-style keys (php-query.ts). The answer's maps may be PHP's `[]` when empty
 * (§4.3); `readBatchAnswer` accepts both.
 *
 * A command whose error proves it did not run (429 OPERATION_TIME_LIMIT per command) is sent again in a
 * later request, up to the retry policy's attempts; any other per-command error is returned as is.
 * A whole request that fails after the client's own retries marks its commands with that error (the
 * writes in it may or may not have run: the caller checks), unless the failure is definite for every
 * request (wrong webhook, missing scope): then it throws.
 */
import type { B24Error, Redactor } from './errors.js';
import { errorFromEnvelope } from './errors.js';
import { buildPhpQuery } from './php-query.js';
import { provesNotRun } from './retry-policy.js';

export const BATCH_LIMIT = 50;

export interface BatchCall {
  method: string;
  params?: Record<string, unknown>;
}

export type BatchOutcome<T = unknown> =
  { ok: true; result: T; total?: number; next?: number } | { ok: false; error: B24Error };

/** The `result` of a batch answer, with PHP's empty arrays turned into empty maps. */
export interface BatchAnswer {
  result: Record<string, unknown>;
  error: Record<string, { error?: unknown; error_description?: unknown }>;
  total: Record<string, unknown>;
  next: Record<string, unknown>;
  time: Record<string, unknown>;
}

/** `crm.deal.update` + `{ id: 5, fields: { TITLE: 'x' } }` -> `crm.deal.update?id=5&fields%5BTITLE%5D=x` */
export function encodeCommand(method: string, params: Record<string, unknown> = {}): string {
  const query = buildPhpQuery(params);
  return query ? `${method}?${query}` : method;
}

function asMap(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), v]));
  if (value !== null && typeof value === 'object') return value as Record<string, unknown>;
  return {};
}

export function readBatchAnswer(result: unknown): BatchAnswer {
  const r = asMap(result);
  return {
    result: asMap(r.result),
    error: asMap(r.result_error) as BatchAnswer['error'],
    total: asMap(r.result_total),
    next: asMap(r.result_next),
    time: asMap(r.result_time),
  };
}

/** What runBatch needs from the client: one batch request (with the client's retries), a sleep. */
export interface BatchDeps {
  send(cmd: Record<string, string>, methods: string[], signal?: AbortSignal): Promise<BatchAnswer>;
  /** How many batch requests may be in flight at once (the limiter paces them anyway). */
  concurrency: number;
  redact: Redactor;
  auth: 'webhook' | 'oauth';
  /** Per-command errors that prove the command did not run are re-sent this many times at most. */
  maxAttempts: number;
  /** Waits before re-sending commands refused with `error` (the client applies its retry policy). */
  pause(error: B24Error, attempt: number, signal?: AbortSignal): Promise<void>;
}

export interface BatchOptions {
  signal?: AbortSignal;
  /** Called after each request with the number of calls finished so far. */
  onProgress?: (done: number, total: number) => void;
}

/** A whole-request failure that will repeat for every request: throw instead of marking commands. */
function isDefinite(error: B24Error): boolean {
  if (error.retryable) return false;
  const c = error.codeLower;
  return (
    error.httpStatus === 401 ||
    error.httpStatus === 403 ||
    c === 'error_method_not_found' ||
    c === 'invalid_credentials' ||
    c === 'no_auth_found' ||
    c === 'insufficient_scope' ||
    c === 'b24lab_aborted'
  );
}

export async function runBatch<T = unknown>(
  calls: BatchCall[],
  deps: BatchDeps,
  options: BatchOptions = {},
): Promise<BatchOutcome<T>[]> {
  const outcomes: (BatchOutcome<T> | undefined)[] = new Array<BatchOutcome<T> | undefined>(calls.length);
  const attempts = new Array<number>(calls.length).fill(0);
  let queue = calls.map((_, i) => i);
  let done = 0;
  let round = 0;
  let refusal: B24Error | undefined;
  while (queue.length > 0) {
    if (refusal) await deps.pause(refusal, round - 1, options.signal);
    refusal = undefined;
    round++;
    const chunks: number[][] = [];
    for (let i = 0; i < queue.length; i += BATCH_LIMIT) chunks.push(queue.slice(i, i + BATCH_LIMIT));
    const again: number[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const chunk = chunks[next++] ?? [];
        const cmd: Record<string, string> = {};
        chunk.forEach((index, k) => {
          const call = calls[index];
          if (call) cmd[`c${k}`] = encodeCommand(call.method, call.params);
        });
        let answer: BatchAnswer;
        try {
          answer = await deps.send(
            cmd,
            chunk.map((i) => calls[i]?.method ?? ''),
            options.signal,
          );
        } catch (e) {
          const error = e as B24Error;
          if (isDefinite(error)) throw error;
          for (const index of chunk) outcomes[index] = { ok: false, error };
          done += chunk.length;
          options.onProgress?.(done, calls.length);
          continue;
        }
        chunk.forEach((index, k) => {
          const name = `c${k}`;
          const method = calls[index]?.method ?? '';
          const envelope = answer.error[name];
          if (envelope !== undefined) {
            const error = errorFromEnvelope(envelope, {
              method,
              httpStatus: 0,
              auth: deps.auth,
              redact: deps.redact,
            });
            attempts[index] = (attempts[index] ?? 0) + 1;
            if (provesNotRun(error) && (attempts[index] ?? 0) < deps.maxAttempts) {
              again.push(index);
              refusal = error;
              return;
            }
            outcomes[index] = { ok: false, error };
          } else {
            const total = Number(answer.total[name]);
            const nextStart = Number(answer.next[name]);
            outcomes[index] = {
              ok: true,
              result: answer.result[name] as T,
              ...(answer.total[name] !== undefined && Number.isFinite(total) ? { total } : {}),
              ...(answer.next[name] !== undefined && Number.isFinite(nextStart) ? { next: nextStart } : {}),
            };
          }
          done++;
        });
        options.onProgress?.(done, calls.length);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.concurrency, chunks.length)) }, worker));
    queue = again.sort((a, b) => a - b);
  }
  return outcomes.map((o, i) => {
    if (!o) throw new Error(`batch: call ${i} got no outcome`);
    return o;
  });
}

/** Keyed form: `{ a: call, b: call }` -> `{ a: outcome, b: outcome }`. */
export async function runBatchKeyed<T = unknown>(
  calls: Record<string, BatchCall>,
  deps: BatchDeps,
  options: BatchOptions = {},
): Promise<Record<string, BatchOutcome<T>>> {
  const keys = Object.keys(calls);
  const outcomes = await runBatch<T>(
    keys.map((k) => calls[k] as BatchCall),
    deps,
    options,
  );
  return Object.fromEntries(keys.map((k, i) => [k, outcomes[i] as BatchOutcome<T>]));
}
