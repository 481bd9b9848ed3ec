/**
 * PHP-style query strings, the encoding of batch commands (reference/bitrix24-rest.md §1.2, §4.1):
 * what PHP `http_build_query` produces, so the portal's `parse_str` reads back the same structure.
 *
 * Worked example:
 *   buildPhpQuery({ filter: { '>ID': 5 }, select: ['ID', 'TITLE'], order: { ID: 'ASC' }, start: -1 })
 *   -> 'filter%5B%3EID%5D=5&select%5B0%5D=ID&select%5B1%5D=TITLE&order%5BID%5D=ASC&start=-1'
 * As http_build_query does: null and undefined are left out, booleans become 1/0, an empty array or
 * object disappears.
 */
function encodeValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function walk(prefix: string, value: unknown, out: string[]): void {
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value);
    for (const [k, v] of entries) walk(prefix ? `${prefix}[${k}]` : k, v, out);
    return;
  }
  const text = encodeValue(value);
  if (text === undefined) return;
  out.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(text)}`);
}

export function buildPhpQuery(params: Record<string, unknown>): string {
  const out: string[] = [];
  walk('', params, out);
  return out.join('&');
}

/** `a[b][][c]` -> ['a', 'b', '', 'c'] (PHP's bracket split; an unclosed bracket keeps the name whole). */
export function splitPhpKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0 || key.indexOf(']', open) < 0) return [key];
  const parts = [key.slice(0, open)];
  let rest = key.slice(open);
  while (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) break;
    parts.push(rest.slice(1, close));
    rest = rest.slice(close + 1);
  }
  return parts;
}

/**
 * Sets a value at a PHP-style key in a params object; `[]` appends. Objects whose keys end up 0..n-1
 * are turned into arrays by `compactArrays`.
 *
 *   setPhpKey({}, 'filter[>ID]', '5')        -> { filter: { '>ID': '5' } }
 *   setPhpKey(p, 'select[]', 'ID') twice     -> { select: { 0: 'ID', 1: ... } } -> compacted to an array
 */
export function setPhpKey(target: Record<string, unknown>, key: string, value: unknown): void {
  const path = splitPhpKey(key);
  let bag: Record<string, unknown> = target;
  for (let i = 0; i < path.length; i++) {
    let k = path[i] ?? '';
    if (k === '' && i > 0) {
      const numeric = Object.keys(bag)
        .filter((x) => /^(0|[1-9]\d*)$/.test(x))
        .map(Number);
      k = String(numeric.length ? Math.max(...numeric) + 1 : 0);
    }
    if (i === path.length - 1) {
      bag[k] = value;
      return;
    }
    const child = bag[k];
    if (child === null || typeof child !== 'object' || Array.isArray(child)) {
      const fresh: Record<string, unknown> = {};
      bag[k] = fresh;
      bag = fresh;
    } else bag = child as Record<string, unknown>;
  }
}

/** Objects with keys exactly 0..n-1 become arrays, recursively (as PHP's json_encode prints them). */
export function compactArrays(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compactArrays);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => [k, compactArrays(v)] as const,
  );
  if (entries.length > 0 && entries.every(([k], i) => k === String(i))) return entries.map(([, v]) => v);
  return Object.fromEntries(entries);
}
