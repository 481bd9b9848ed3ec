/**
 * PHP `parse_str` semantics for Bitrix24 request parameters (reference/bitrix24-rest.md §1.2).
 * A library such as qs compacts sparse numeric keys (`cmd[7]=x` -> `['x']`), which would lose batch
 * command ids, so this follows PHP exactly instead.
 *
 * Worked example:
 *   parsePhpQuery('filter[>ID]=5&select[]=ID&select[]=TITLE&cmd[a]=crm.deal.list%3Fstart%3D-1')
 *   -> { filter: { '>ID': '5' }, select: ['ID', 'TITLE'], cmd: { a: 'crm.deal.list?start=-1' } }
 * Objects whose keys are exactly 0..n-1 become arrays, as PHP's json_encode would print them.
 */
export type PhpValue = string | PhpValue[] | { [key: string]: PhpValue };
export type Params = Record<string, unknown>;

type Bag = Map<string, Bag | string>;

function decode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return part;
  }
}

function nextIndex(bag: Bag): string {
  let max = -1;
  for (const key of bag.keys()) {
    if (/^(0|[1-9]\d*)$/.test(key)) max = Math.max(max, Number(key));
  }
  return String(max + 1);
}

/**
 * Splits `a[b][][c]` into ['a', 'b', '', 'c']. As in PHP, a first `[` that never closes becomes `_`
 * (`c[d` -> `c_d`), and text after the last closing bracket is dropped.
 */
function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  if (key.indexOf(']', open) < 0) return [`${key.slice(0, open)}_${key.slice(open + 1)}`];
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

function assign(root: Bag, path: string[], value: string): void {
  let bag = root;
  for (let i = 0; i < path.length; i++) {
    let key = path[i] ?? '';
    if (key === '' && i > 0) key = nextIndex(bag);
    if (i === path.length - 1) {
      bag.set(key, value);
      return;
    }
    let child = bag.get(key);
    if (!(child instanceof Map)) {
      child = new Map();
      bag.set(key, child);
    }
    bag = child;
  }
}

function toValue(bag: Bag): PhpValue {
  const keys = [...bag.keys()];
  const isList = keys.every((k, i) => k === String(i));
  const convert = (v: Bag | string): PhpValue => (v instanceof Map ? toValue(v) : v);
  if (isList && keys.length > 0) return keys.map((k) => convert(bag.get(k) as Bag | string));
  const out: Record<string, PhpValue> = {};
  for (const [k, v] of bag) out[k] = convert(v);
  return out;
}

export function parsePhpQuery(query: string): Params {
  const root: Bag = new Map();
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    if (!rawKey) continue;
    assign(root, splitKey(rawKey), value);
  }
  const value = toValue(root);
  if (Array.isArray(value)) return { ...value };
  return typeof value === 'string' ? {} : value;
}

/** Builds the same form from a value: for batch command strings in tests and the embedded demo. */
export function buildPhpQuery(params: Params): string {
  const pairs: string[] = [];
  const walk = (prefix: string, value: unknown): void => {
    if (value === undefined) return;
    if (value === null) {
      pairs.push(`${encodeURIComponent(prefix)}=`);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(`${prefix}[${i}]`, v));
    } else if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(`${prefix}[${k}]`, v);
    } else {
      const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
      pairs.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(text)}`);
    }
  };
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && typeof v === 'object') {
      if (Array.isArray(v)) v.forEach((item, i) => walk(`${k}[${i}]`, item));
      else for (const [k2, v2] of Object.entries(v)) walk(`${k}[${k2}]`, v2);
    } else walk(k, v);
  }
  return pairs.join('&');
}
