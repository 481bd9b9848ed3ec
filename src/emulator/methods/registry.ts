import type { Params } from '../protocol/php-params.js';
import type { Portal } from '../portal.js';

/** What a method sees: its parameters (auth and `start` removed) and the portal. */
export interface CallContext {
  portal: Portal;
  method: string;
  params: Params;
  /** The navigation offset from `start` (undefined when absent; -1 disables the count). */
  start: number | undefined;
  /** The calling user (the webhook's or the OAuth token's). */
  userId: number;
  /** The caller's scopes when it is a webhook limited by `b24lab.webhook.add`; absent: all of them. */
  scopes?: string[];
}

/** A method's answer before the envelope: `next`/`total` are lifted to the top level (§1.3). */
export interface MethodOutput {
  result: unknown;
  total?: number;
  next?: number;
}

export type MethodHandler = (ctx: CallContext) => MethodOutput;

export interface MethodDef {
  /** The permission scope the method belongs to (`crm`, `task`, `user`, ...), listed by `scope`. */
  scope: string;
  handler: MethodHandler;
  /** False for methods that may not run inside batch (upload/download pseudo-methods, batch itself). */
  batchable?: boolean;
}

export type MethodTable = Record<string, MethodDef>;

export const ok = (result: unknown): MethodOutput => ({ result });

/** Shorthand for a table where every method has one scope. */
export function scoped(scope: string, handlers: Record<string, MethodHandler>): MethodTable {
  const table: MethodTable = {};
  for (const [name, handler] of Object.entries(handlers)) table[name] = { scope, handler };
  return table;
}
