import type { Params } from '../protocol/php-params.js';
import type { RestError } from '../protocol/rest-error.js';

/**
 * Parameter helpers shared by method families. Legacy methods resolve names case-insensitively
 * (`fields`, `FIELDS`, `arFields`; `id`/`ID`: reference/bitrix24-rest.md §1.2).
 */
export function param(params: Params, ...names: string[]): unknown {
  for (const name of names) {
    if (name in params) return params[name];
  }
  const lower = names.map((n) => n.toLowerCase());
  const key = Object.keys(params).find((k) => lower.includes(k.toLowerCase()));
  return key === undefined ? undefined : params[key];
}

export function objectParam(params: Params, ...names: string[]): Record<string, unknown> | undefined {
  const value = param(params, ...names);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}

/** A positive integer id, or undefined. */
export function idParam(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+\s*$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export function requireId(value: unknown, error: () => RestError): number {
  const id = idParam(value);
  if (id === undefined) throw error();
  return id;
}

/** `Y`/`N`, `1`/`0`, `true`/`false` (JSON or text) -> boolean; undefined when absent. */
export function flag(value: unknown): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  const text = String(value).toLowerCase();
  return text === 'y' || text === '1' || text === 'true';
}

/** A list parameter that may come as an array or as a single value. */
export function listParam(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'object') return Object.values(value);
  return [value];
}

export const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
