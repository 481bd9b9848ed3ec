import type { Clock } from '../clock.js';
import type { Store } from './store/store.js';

/**
 * The portal's own clock: the real clock plus an offset that the emulator-only `b24lab.clock.*`
 * methods move, so a test can make a deal 16 days old. The offset is kept in the store, so a
 * `--data` file remembers it across restarts.
 */
export class PortalClock {
  constructor(
    private readonly real: Clock,
    private readonly store: Store,
  ) {}

  get offsetMs(): number {
    return Number(this.store.getMeta('clock.offset') ?? '0');
  }

  now(): number {
    return this.real.now() + this.offsetMs;
  }

  set(ms: number): void {
    this.store.setMeta('clock.offset', String(ms - this.real.now()));
  }

  advance(ms: number): void {
    this.store.setMeta('clock.offset', String(this.offsetMs + ms));
  }
}

/** Formats a moment as PHP `date('c')` in the portal's timezone: `2024-08-30T14:29:00+03:00`. */
export function isoWithOffset(ms: number, offsetMinutes: number): string {
  const shifted = new Date(ms + offsetMinutes * 60_000);
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  const tz = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${shifted.toISOString().slice(0, 19)}${tz}`;
}

/**
 * Parses a date or datetime a client sends: ISO 8601 with or without offset, `YYYY-MM-DD`,
 * or the Russian portal format `DD.MM.YYYY[ HH:MM[:SS]]`. A value without an offset is portal time.
 * Returns epoch milliseconds, or undefined when the text is not a date.
 */
export function parseDateInput(value: unknown, offsetMinutes: number): number | undefined {
  if (typeof value === 'number') return value > 1e11 ? value : value * 1000;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  const ru = /^(\d{2})\.(\d{2})\.(\d{4})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (ru) {
    const [, d, m, y, hh = '00', mm = '00', ss = '00'] = ru;
    return Date.UTC(+y!, +m! - 1, +d!, +hh, +mm, +ss) - offsetMinutes * 60_000;
  }
  const iso =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(
      text,
    );
  if (!iso) return undefined;
  const [, y, m, d, hh = '00', mm = '00', ss = '00', tz] = iso;
  const local = Date.UTC(+y!, +m! - 1, +d!, +hh, +mm, +ss);
  if (!tz) return local - offsetMinutes * 60_000;
  if (tz === 'Z') return local;
  const sign = tz.startsWith('-') ? -1 : 1;
  const digits = tz.slice(1).replace(':', '');
  return local - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

/** `YYYY-MM-DD` of a moment in the portal's timezone. */
export function portalDate(ms: number, offsetMinutes: number): string {
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 10);
}
