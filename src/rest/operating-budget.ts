/**
 * The per-method operating budget (reference/bitrix24-rest.md §3.2, limits.md): the portal sums the
 * execution time of each method per webhook/application over ten one-minute baskets and answers 429
 * OPERATION_TIME_LIMIT once the sum passes the limit (480 s in the documented example). Each answer
 * reports the sum so far in `time.operating` and when the oldest basket drops in
 * `time.operating_reset_at`; a batch reports both per command in `result_time`.
 *
 * Pure functions over one method's last report: `record` keeps it, `operatingWait` says how long to
 * hold the next call of that method. As b24jssdk does, a method within `marginSeconds` of the limit
 * waits for the reset (+1 s), then the next answer tells the new sum.
 */
export interface OperatingEntry {
  /** Seconds used by the method in the window, as last reported. */
  operating: number;
  /** When the oldest basket drops (ms). */
  resetAt: number;
}

export interface OperatingSpec {
  /** The portal's limit in seconds (480 in the cloud example; 0 or undefined = do not track). */
  limitSeconds: number;
  /** Start holding calls this many seconds before the limit. */
  marginSeconds: number;
}

export const DEFAULT_OPERATING: OperatingSpec = { limitSeconds: 480, marginSeconds: 5 };

/** The `time` block fields this module reads. */
export interface OperatingTime {
  operating?: unknown;
  operating_reset_at?: unknown;
}

/** A report from an answer's `time` block, or undefined when the portal does not meter (box). */
export function readOperating(time: OperatingTime | undefined): OperatingEntry | undefined {
  if (!time) return undefined;
  const operating = Number(time.operating);
  const resetAt = Number(time.operating_reset_at);
  if (!Number.isFinite(operating) || !Number.isFinite(resetAt) || resetAt <= 0) return undefined;
  return { operating, resetAt: resetAt * 1000 };
}

/** Keeps the newer report of two (a later reset, or the larger sum for the same window). */
export function record(previous: OperatingEntry | undefined, next: OperatingEntry): OperatingEntry {
  if (!previous) return next;
  if (next.resetAt > previous.resetAt) return next;
  if (next.resetAt < previous.resetAt) return previous;
  return next.operating >= previous.operating ? next : previous;
}

/** How long (ms) the next call of the method must wait at `now`; 0 when it may go. */
export function operatingWait(
  entry: OperatingEntry | undefined,
  now: number,
  spec: OperatingSpec = DEFAULT_OPERATING,
): number {
  if (!entry || !(spec.limitSeconds > 0)) return 0;
  if (now >= entry.resetAt) return 0;
  if (entry.operating < spec.limitSeconds - spec.marginSeconds) return 0;
  return entry.resetAt - now + 1000;
}
