/**
 * Lists as async iterators that stream rows (STYLE.md §7), with the chained fast path of the official
 * PHP SDK (reference/peer-clients.md §1.3, settings/performance/huge-data.md): one batch of 50 list
 * commands, each with `start=-1` (no COUNT on the portal) and `>ID` taken from the previous command's
 * last row through a batch reference, so one HTTP request brings up to 2,500 rows:
 *
 *   c0: crm.deal.list?filter[>ID]=2500&order[ID]=ASC&start=-1
 *   c1: crm.deal.list?filter[>ID]=$result[c0][49][ID]&order[ID]=ASC&start=-1
 *   ...
 *   c49: crm.deal.list?filter[>ID]=$result[c48][49][ID]&order[ID]=ASC&start=-1
 *
 * The very first command asks with `start=0` instead, so the same request also returns `total` (the
 * cheap count probe): progress knows the size, the last request is cut to the pages still missing
 * (so n rows take ceil(n / 2500) requests), and the end is checked against it. When a page comes back
 * short, the list is over; the commands after it saw a reference that did not resolve (the portal then
 * substitutes the whole short page, src/emulator/protocol/batch.ts `substitute`, and Bitrix24 does the
 * same: §4.2) and their answers are ignored. Each page is checked to start above the previous cursor,
 * so a broken reference can never repeat or skip rows silently; a failed command ends the request
 * early and the next request resumes from the last good id.
 *
 * Methods that do not take `>ID` (department.get, small directories) page by offset: the first page
 * gives `total`, then the remaining pages go 50 per request.
 *
 * At the end, fewer rows than `total` triggers a second count; if the portal still has more rows than
 * were streamed, the list throws B24LAB_LIST_TRUNCATED: truncation is never silent (fast_bitrix24 #265).
 */
import type { BatchAnswer } from './batch.js';
import { BATCH_LIMIT } from './batch.js';
import type { Redactor } from './errors.js';
import { B24Error, LOCAL_CODES, abortedError, errorFromEnvelope, sleepOrAbort } from './errors.js';
import type { ListSpec } from './list-table.js';
import {
  checkListParams,
  idOf,
  initialCursor,
  lastIdReference,
  listSpec,
  pageParams,
  rowsOf,
} from './list-table.js';
import { encodeCommand } from './batch.js';
import type { RetryOptions } from './retry-policy.js';
import { decide } from './retry-policy.js';

/** The fixed page size of classic list methods (reference/bitrix24-rest.md §5). */
export const PAGE_SIZE = 50;

export interface ListProgress {
  rows: number;
  /** The portal's count at the start, when the method reports one. */
  total: number | undefined;
  requests: number;
}

export interface ListOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ListProgress) => void;
  /** Stop after this many rows (the count check is skipped then). */
  limit?: number;
  /** Pages per request, at most 50 (smaller only to spread a very heavy select over more requests). */
  pagesPerRequest?: number;
  /** For a method missing from list-table.ts: how it pages. */
  spec?: ListSpec;
}

export interface ListSummary {
  method: string;
  rows: number;
  total: number | undefined;
  requests: number;
}

export interface ListDeps {
  /** One batch request (the client's limiter and retries apply). */
  send(cmd: Record<string, string>, methods: string[], signal?: AbortSignal): Promise<BatchAnswer>;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  retry?: Partial<RetryOptions>;
  redact: Redactor;
  auth: 'webhook' | 'oauth';
}

function usage(method: string, description: string): B24Error {
  return new B24Error({ method, code: LOCAL_CODES.usage, description, httpStatus: 0, retryable: false });
}

export function resolveSpec(method: string, options: ListOptions): ListSpec {
  const spec = options.spec ?? listSpec(method);
  if (!spec) {
    throw usage(
      method,
      `b24lab does not know how ${method} pages (result key, id field, filter case); pass a ListSpec`,
    );
  }
  return spec;
}

/** A streamed list: iterate it for rows; `summary` is filled when the iteration ends. */
export interface RowStream<T> extends AsyncIterable<T> {
  readonly summary: ListSummary;
}

export function streamList<T = Record<string, unknown>>(
  method: string,
  params: Record<string, unknown>,
  deps: ListDeps,
  options: ListOptions = {},
): RowStream<T> {
  const spec = resolveSpec(method, options);
  const problem = checkListParams(spec, params);
  if (problem) throw usage(method, problem);
  const summary: ListSummary = { method: spec.method, rows: 0, total: undefined, requests: 0 };
  const iterate = spec.chain ? chained : byOffset;
  return {
    summary,
    [Symbol.asyncIterator]: () => iterate(spec, params, deps, options, summary) as AsyncIterator<T>,
  };
}

/** One batch request whose first command must succeed; retried per the policy on transient failures. */
async function sendPages(
  spec: ListSpec,
  cmd: Record<string, string>,
  deps: ListDeps,
  options: ListOptions,
  summary: ListSummary,
): Promise<BatchAnswer> {
  const methods = Object.keys(cmd).map(() => spec.method);
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw abortedError(spec.method);
    const answer = await deps.send(cmd, methods, options.signal);
    summary.requests++;
    const first = answer.error.c0;
    if (first === undefined) return answer;
    const error = errorFromEnvelope(first, {
      method: spec.method,
      httpStatus: 0,
      auth: deps.auth,
      redact: deps.redact,
    });
    const decision = decide(error, attempt, deps.random, { ...deps.retry, read: true });
    if (!decision.retry) throw error;
    await sleepOrAbort(deps.sleep, decision.delayMs, spec.method, options.signal);
  }
}

function report(options: ListOptions, summary: ListSummary): void {
  options.onProgress?.({ rows: summary.rows, total: summary.total, requests: summary.requests });
}

async function* chained(
  spec: ListSpec,
  params: Record<string, unknown>,
  deps: ListDeps,
  options: ListOptions,
  summary: ListSummary,
): AsyncGenerator<Record<string, unknown>> {
  const start = initialCursor(spec, params);
  let cursor = start;
  let first = true;
  const perRequest = Math.max(1, Math.min(BATCH_LIMIT, options.pagesPerRequest ?? BATCH_LIMIT));
  const limit = options.limit;

  const build = (after: number, isFirst: boolean): Record<string, string> => {
    let pages = perRequest;
    if (!isFirst && summary.total !== undefined) {
      const missing = summary.total - summary.rows;
      pages = Math.max(1, Math.min(perRequest, Math.ceil(missing / PAGE_SIZE)));
    }
    if (limit !== undefined)
      pages = Math.max(1, Math.min(pages, Math.ceil((limit - summary.rows) / PAGE_SIZE)));
    const cmd: Record<string, string> = {};
    for (let k = 0; k < pages; k++) {
      const ref = k === 0 ? after : lastIdReference(spec, `c${k - 1}`, PAGE_SIZE);
      cmd[`c${k}`] = encodeCommand(
        spec.method,
        pageParams(spec, params, { after: ref, start: k === 0 && isFirst ? 0 : -1 }),
      );
    }
    return cmd;
  };

  let pending: Promise<BatchAnswer> | undefined = sendPages(
    spec,
    build(cursor, true),
    deps,
    options,
    summary,
  );
  while (pending) {
    const answer: BatchAnswer = await pending;
    pending = undefined;
    const rows: Record<string, unknown>[] = [];
    let finished = false;
    const pages = Object.keys(answer.result).length + Object.keys(answer.error).length;
    for (let k = 0; k < Math.max(pages, 1); k++) {
      const name = `c${k}`;
      if (answer.error[name] !== undefined || !(name in answer.result)) break; // resume from the cursor
      const page = rowsOf(spec, answer.result[name]);
      if (!page) {
        if (k === 0)
          throw usage(
            spec.method,
            `the answer is not a list of rows (expected ${spec.resultKey ? `result.${spec.resultKey}` : 'an array'})`,
          );
        break;
      }
      if (page.length > 0) {
        const firstId = idOf(spec, page[0] ?? {});
        const lastId = idOf(spec, page[page.length - 1] ?? {});
        if (firstId === undefined || lastId === undefined) {
          throw usage(spec.method, `the rows have no ${spec.idField} field to page by (keep it in select)`);
        }
        if (firstId <= cursor) {
          if (k === 0) throw usage(spec.method, `paging did not advance past id ${cursor}`);
          break; // a reference did not resolve: resume from the last good id
        }
        cursor = lastId;
      }
      if (first && k === 0) {
        const total = Number(answer.total[name]);
        if (answer.total[name] !== undefined && Number.isFinite(total) && total > 0) summary.total = total;
        else if (page.length < PAGE_SIZE) summary.total = page.length;
      }
      rows.push(...page);
      if (page.length < PAGE_SIZE) {
        finished = true;
        break;
      }
    }
    first = false;
    let emit = rows;
    if (limit !== undefined && summary.rows + rows.length >= limit) {
      emit = rows.slice(0, limit - summary.rows);
      finished = true;
    }
    summary.rows += emit.length;
    if (!finished && summary.total !== undefined && summary.rows >= summary.total) finished = true;
    // Ask for the next pages before handing these out: the portal works while the caller writes.
    if (!finished) {
      pending = sendPages(spec, build(cursor, false), deps, options, summary);
      pending.catch(() => undefined);
    }
    report(options, summary);
    yield* emit;
  }
  if (limit === undefined) await checkCount(spec, params, deps, options, summary, start);
}

async function* byOffset(
  spec: ListSpec,
  params: Record<string, unknown>,
  deps: ListDeps,
  options: ListOptions,
  summary: ListSummary,
): AsyncGenerator<Record<string, unknown>> {
  const perRequest = Math.max(1, Math.min(BATCH_LIMIT, options.pagesPerRequest ?? BATCH_LIMIT));
  const limit = options.limit;
  const firstAnswer = await sendPages(
    spec,
    { c0: encodeCommand(spec.method, pageParams(spec, params, { start: 0 })) },
    deps,
    options,
    summary,
  );
  const firstPage = rowsOf(spec, firstAnswer.result.c0);
  if (!firstPage) throw usage(spec.method, 'the answer is not a list of rows');
  const total = Number(firstAnswer.total.c0);
  summary.total = Number.isFinite(total) && firstAnswer.total.c0 !== undefined ? total : firstPage.length;
  const take = (rows: Record<string, unknown>[]): Record<string, unknown>[] =>
    limit === undefined ? rows : rows.slice(0, Math.max(0, limit - summary.rows));
  let emit = take(firstPage);
  summary.rows += emit.length;
  report(options, summary);
  yield* emit;
  let offset = PAGE_SIZE;
  while (offset < summary.total && (limit === undefined || summary.rows < limit)) {
    const cmd: Record<string, string> = {};
    for (let k = 0; k < perRequest && offset < summary.total; k++, offset += PAGE_SIZE) {
      cmd[`c${k}`] = encodeCommand(spec.method, pageParams(spec, params, { start: offset }));
    }
    const answer = await sendPages(spec, cmd, deps, options, summary);
    let short = false;
    for (let k = 0; k < Object.keys(cmd).length; k++) {
      const name = `c${k}`;
      if (answer.error[name] !== undefined) {
        throw errorFromEnvelope(answer.error[name], {
          method: spec.method,
          httpStatus: 0,
          auth: deps.auth,
          redact: deps.redact,
        });
      }
      const page = rowsOf(spec, answer.result[name]) ?? [];
      emit = take(page);
      summary.rows += emit.length;
      yield* emit;
      if (page.length < PAGE_SIZE) {
        short = true;
        break;
      }
    }
    report(options, summary);
    if (short) break;
  }
  if (limit === undefined) await checkCount(spec, params, deps, options, summary, 0);
}

/** Fewer rows than announced: count again; still fewer -> B24LAB_LIST_TRUNCATED. */
async function checkCount(
  spec: ListSpec,
  params: Record<string, unknown>,
  deps: ListDeps,
  options: ListOptions,
  summary: ListSummary,
  start: number,
): Promise<void> {
  if (summary.total === undefined || summary.rows >= summary.total) return;
  const probeParams = pageParams(spec, params, {
    ...(spec.chain && start > 0 ? { after: start } : {}),
    start: 0,
  });
  const answer = await sendPages(
    spec,
    { c0: encodeCommand(spec.method, probeParams) },
    deps,
    options,
    summary,
  );
  const now = Number(answer.total.c0);
  if (answer.total.c0 === undefined || !Number.isFinite(now) || summary.rows >= now) return;
  throw new B24Error({
    method: spec.method,
    code: LOCAL_CODES.truncated,
    description: `streamed ${summary.rows} rows, but the portal counts ${now}`,
    httpStatus: 0,
    retryable: true,
    hint: 'Rows were lost on the way (a page failed or the portal changed during the run). Run it again; if it repeats, report it with the method and filter.',
  });
}
