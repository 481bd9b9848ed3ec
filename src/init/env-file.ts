/**
 * The `.env` file `b24lab init` writes, which src/main.ts loads with `process.loadEnvFile`. A second
 * init edits the file instead of replacing it: the variables init owns are set or removed, every other
 * line (the user's own variables, comments) stays where it was.
 */
import { UserError } from '../errors.js';

export interface EnvChange {
  /** Variables to set, in the order they are appended when new. */
  set: Record<string, string>;
  /** Variables to drop (a webhook and OAuth must not both be left: the webhook would win). */
  remove: string[];
}

/** `KEY=`, `export KEY =` ... -> KEY; undefined for comments, blank and malformed lines. */
function keyOf(line: string): string | undefined {
  return /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
}

/**
 * A value as Node's .env parser reads it back unchanged: bare when it has no space, quote or `#`;
 * otherwise in single, double or back quotes (none of which it may contain).
 * Worked example: 'abc' -> abc; 'a b#c' -> 'a b#c'; "it's" -> "it's".
 */
export function formatEnvValue(value: string): string {
  if (/^[A-Za-z0-9_\-.:/@+=,~%?&]*$/.test(value)) return value;
  if (/[\r\n]/.test(value)) throw new UserError('A value for .env spans lines.', 'Remove the line break.');
  for (const quote of [`'`, '"', '`']) if (!value.includes(quote)) return `${quote}${value}${quote}`;
  throw new UserError(
    'A value for .env contains all three kinds of quotes.',
    'Set it in the environment instead.',
  );
}

/**
 * The new .env text. Worked example, set {B24LAB_PORTAL: 'u2'}, remove [B24LAB_OAUTH_ENDPOINT]:
 *   "# mine\nB24LAB_PORTAL=u1\nB24LAB_OAUTH_ENDPOINT=e\nOTHER=1\n" -> "# mine\nB24LAB_PORTAL=u2\nOTHER=1\n"
 * A key set twice in the old file keeps its first place; later copies go.
 */
export function mergeEnvFile(current: string | undefined, change: EnvChange): string {
  const lines = current === undefined || current === '' ? [] : current.replace(/\r?\n$/, '').split(/\r?\n/);
  const dropped = new Set(change.remove);
  const placed = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    const key = keyOf(line);
    if (key === undefined) {
      out.push(line);
      continue;
    }
    const value = change.set[key];
    if (value !== undefined) {
      if (!placed.has(key)) out.push(`${key}=${formatEnvValue(value)}`);
      placed.add(key);
    } else if (!dropped.has(key)) out.push(line);
  }
  for (const [key, value] of Object.entries(change.set))
    if (!placed.has(key)) out.push(`${key}=${formatEnvValue(value)}`);
  return out.join('\n') + '\n';
}

/**
 * The .gitignore text with each entry added once (`.env` also counts as `/.env`), or undefined when
 * nothing is missing. Worked example: ("node_modules", [".env", ".b24lab/"]) -> "node_modules\n.env\n.b24lab/\n".
 */
export function gitignoreWith(current: string | undefined, entries: string[]): string | undefined {
  const have = new Set(
    (current ?? '')
      .split(/\r?\n/)
      .map((l) => l.trim().replace(/^\//, '').replace(/\/$/, ''))
      .filter(Boolean),
  );
  const missing = entries.filter((e) => !have.has(e.replace(/^\//, '').replace(/\/$/, '')));
  if (missing.length === 0 && current !== undefined) return undefined;
  const base = current ?? '';
  const sep = base === '' || base.endsWith('\n') ? '' : '\n';
  return `${base}${sep}${missing.map((e) => `${e}\n`).join('')}`;
}
