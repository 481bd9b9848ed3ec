import { UserError } from '../errors.js';
import type { Period } from './rows.js';
import { DAY_MS } from './rows.js';

/**
 * `--from` / `--to` as people write them, in the portal's time zone. A date `--to` includes that day.
 * Defaults: from the first day of the current month to now.
 * Worked example (offset +180, now 2026-01-20T09:00Z):
 *   from '2026-01-01', to '2026-01-31' -> [2025-12-31T21:00Z, 2026-01-31T21:00Z)
 *   neither                            -> [2025-12-31T21:00Z, 2026-01-20T09:00Z)
 */
export function parsePeriod(
  from: string | undefined,
  to: string | undefined,
  now: number,
  offsetMinutes: number,
): Period {
  const offset = offsetMinutes * 60_000;
  const local = new Date(now + offset);
  const monthStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - offset;
  const period = {
    from: from === undefined || from === '' ? monthStart : parseMoment(from, '--from', offset, false),
    to: to === undefined || to === '' ? now : parseMoment(to, '--to', offset, true),
  };
  if (period.from >= period.to) {
    throw new UserError(
      `The period is empty: --from must come before --to.`,
      'Dates are YYYY-MM-DD (the --to day is included) or ISO 8601 date-times.',
    );
  }
  return period;
}

function parseMoment(text: string, flag: string, offset: number, endOfDay: boolean): number {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (date) {
    const ms = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3])) - offset;
    if (!Number.isNaN(ms) && new Date(ms + offset).toISOString().startsWith(text.trim())) {
      return endOfDay ? ms + DAY_MS : ms;
    }
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(text.trim())) {
    const ms = Date.parse(text.trim());
    if (!Number.isNaN(ms)) return ms;
  }
  throw new UserError(
    `${flag} "${text}" is not a date.`,
    'Use YYYY-MM-DD, e.g. 2026-01-31, or an ISO 8601 date-time.',
  );
}

/** The portal's UTC offset in minutes, from server.time's ISO answer (`2026-01-20T12:00:00+03:00` -> 180). */
export function offsetOf(iso: string): number {
  const m = /([+-])(\d{2}):?(\d{2})$/.exec(iso.trim());
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}
