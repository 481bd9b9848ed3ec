import type { MethodTable } from '../methods/registry.js';
import type { Auth, CallTime, Portal } from '../portal.js';
import { parsePhpQuery } from './php-params.js';
import { RestError, errors } from './rest-error.js';

/** The most commands one batch runs (`CRestUtil::BATCH_MAX_LENGTH`). */
export const BATCH_MAX_LENGTH = 50;

interface BatchState {
  result: Record<string, unknown>;
  error: Record<string, unknown>;
  total: Record<string, unknown>;
  next: Record<string, unknown>;
  time: Record<string, unknown>;
}

/**
 * Substitutes `$result[cmd][0][ID]`-style references (reference/bitrix24-rest.md §4.2), as the box
 * `CRestUtil::processBatchElement` does: walk the path while it exists; a value that is exactly the
 * reference takes the referenced value as is (even an array), a longer text gets it spliced in when
 * it is a string or a number.
 *
 * Worked example, after `prev` returned 50 deals:
 *   '$result[prev][49][ID]'        -> '2650'
 *   'id > $result[prev][49][ID]!'  -> 'id > 2650!'
 * and after `prev` returned 10 deals, '$result[prev][49][ID]' -> the array of 10 rows (the walk stopped).
 */
export function substitute(text: string, state: BatchState): unknown {
  const pattern = /\$(result|next|total|time|error)(\S*)/gi;
  let out: unknown = text;
  for (const match of text.matchAll(pattern)) {
    const kind = (match[1] ?? '').toLowerCase() as keyof BatchState;
    const path = [...(match[2] ?? '').matchAll(/\[([^\]]+)\]/g)].map((m) => m[1] ?? '');
    if (path.length === 0) continue;
    let r: unknown = state[kind];
    for (const key of path) {
      if (r !== null && typeof r === 'object' && key in r && (r as Record<string, unknown>)[key] != null) {
        r = (r as Record<string, unknown>)[key];
      } else break;
    }
    if (match[0] === text) return r;
    if (typeof r === 'number') r = String(r);
    if (typeof r !== 'string' || typeof out !== 'string') continue;
    out = out.split(match[0]).join(r);
  }
  return out;
}

function substituteDeep(value: unknown, state: BatchState): unknown {
  if (typeof value === 'string') return value.includes('$') ? substitute(value, state) : value;
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, state));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = k.includes('$') ? substitute(k, state) : k;
      out[typeof key === 'string' ? key : k] = substituteDeep(v, state);
    }
    return out;
  }
  return value;
}

/** PHP truthiness of `halt`: "0", "", 0 and false are false; anything else (even "false") is true. */
function phpTruthy(value: unknown): boolean {
  return !(
    value === undefined ||
    value === null ||
    value === false ||
    value === 0 ||
    value === '0' ||
    value === ''
  );
}

/** Empty maps print as `[]`, maps with keys 0..n-1 as arrays: what PHP's json_encode does. */
function phpMap(map: Record<string, unknown>): unknown {
  const keys = Object.keys(map);
  if (keys.length === 0) return [];
  if (keys.every((k, i) => k === String(i))) return keys.map((k) => map[k]);
  return map;
}

function findParam(params: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(params).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : params[key];
}

export function batchMethods(): MethodTable {
  return {
    batch: {
      scope: 'basic',
      batchable: false,
      handler: () => {
        // Dispatched by runBatch (it needs the caller's auth); listed here so `methods` shows it.
        throw errors.internal();
      },
    },
  };
}

export function runBatch(portal: Portal, params: Record<string, unknown>, auth: Auth): { result: unknown } {
  const cmd = findParam(params, 'cmd');
  const halt = phpTruthy(findParam(params, 'halt'));
  const state: BatchState = { result: {}, error: {}, total: {}, next: {}, time: {} };
  const entries: [string, unknown][] = Array.isArray(cmd)
    ? cmd.map((v, i) => [String(i), v])
    : cmd !== null && typeof cmd === 'object'
      ? Object.entries(cmd)
      : [];
  let index = 0;
  for (const [name, command] of entries) {
    if (typeof command !== 'string') continue;
    index++;
    if (index > BATCH_MAX_LENGTH) {
      state.error[name] = errors.batchLength().toJSON();
      continue;
    }
    const q = command.indexOf('?');
    const method = (q < 0 ? command : command.slice(0, q)).trim();
    const query = q < 0 ? '' : command.slice(q + 1);
    try {
      if (method.toLowerCase() === 'batch') throw errors.batchMethodNotAllowed();
      const parsed = substituteDeep(parsePhpQuery(query), state) as Record<string, unknown>;
      const answer = portal.call(method, parsed, auth, true);
      state.result[name] = answer.output.result;
      if (answer.output.total !== undefined) state.total[name] = answer.output.total;
      if (answer.output.next !== undefined) state.next[name] = answer.output.next;
      state.time[name] = answer.time satisfies CallTime;
    } catch (e) {
      const err = e instanceof RestError ? e : new RestError('ERROR_CORE', String(e), 400);
      state.error[name] = err.toJSON();
      if (halt) break;
    }
  }
  return {
    result: {
      result: phpMap(state.result),
      result_error: phpMap(state.error),
      result_total: phpMap(state.total),
      result_next: phpMap(state.next),
      result_time: phpMap(state.time),
    },
  };
}
