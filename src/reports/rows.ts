/**
 * The typed rows the report cores read. They are already normalised by the IO edge (read-portal.ts):
 * times are epoch milliseconds, amounts are numbers, the portal's field names are gone. The cores never
 * see a REST envelope, so each one is a pure function of async iterables and can be tested on
 * hand-built rows.
 */

/** A period is half-open: `from <= t < to`. Reports are "as at" `to` (open deals, overdue, ages). */
export interface Period {
  from: number;
  to: number;
}

/** Stage semantics as Bitrix24 reports them: P in progress, S success (won), F failure (lost). */
export type Semantic = 'P' | 'S' | 'F';

export interface DealRow {
  id: number;
  title: string;
  /** The pipeline (deal category); 0 is the default pipeline. */
  categoryId: number;
  stageId: string;
  semantic: Semantic;
  assignedById: number;
  createdAt: number;
  /** When the deal reached its final stage (closedate / moved time); null while open. */
  closedAt: number | null;
  /** When the deal entered its current stage (movedTime). */
  movedAt: number;
  /** The deal amount (opportunity). */
  amount: number;
  /** Amount paid so far (deal field «Оплачено»), null when the field is empty. */
  paid: number | null;
  /** Remaining amount (deal field «Остаток»), null when empty. */
  remaining: number | null;
  /** When the results were sent to the client (deal field «Дата отправки результатов»). */
  resultsSentAt: number | null;
  /** Whether the client's feedback was collected (deal field «Обратная связь» is filled). */
  feedback: boolean;
  /** The client: company title, or the contact's name; null when the deal has none. */
  client: string | null;
}

/** One row of crm.stagehistory.list. */
export interface StageChangeRow {
  ownerId: number;
  categoryId: number;
  stageId: string;
  semantic: Semantic;
  at: number;
}

export interface TaskRow {
  id: number;
  responsibleId: number;
  createdAt: number;
  deadline: number | null;
  /** When the task was completed (closedDate); null while open. */
  closedAt: number | null;
}

/**
 * An escalation recorded by the automation ledger: a deal sent up to the manager's head (one row per
 * firing, however many heads were notified). It counts for the deal's responsible manager.
 */
export interface EscalationRow {
  dealId: number;
  at: number;
}

/** An item of the smart process «Лаборатория». */
export interface LabItemRow {
  id: number;
  title: string;
  /** The direction (smart-process category). */
  categoryId: number;
  stageId: string;
  semantic: Semantic;
  /** The lab assistant responsible. */
  assignedById: number;
  createdAt: number;
  /** The planned end (closedate, end of that day in the portal's time zone); null when not set. */
  deadline: number | null;
  /** When the item reached a final stage; null while in work. */
  finishedAt: number | null;
}

/** A pipeline or a direction with its stages in their order (crm.category.list + crm.status.list). */
export interface StageDirectory {
  categories: { id: number; name: string }[];
  /** Stages in SORT order per category. */
  stages: { categoryId: number; id: string; name: string; semantic: Semantic }[];
}

export const DAY_MS = 86_400_000;

/** A user id -> display name lookup (user.get: LAST_NAME NAME). */
export type UserNames = ReadonlyMap<number, string>;

export function userName(names: UserNames, id: number): string {
  return names.get(id) ?? `#${id}`;
}

export const inPeriod = (t: number | null, p: Period): t is number => t !== null && t >= p.from && t < p.to;

/** a / b, or null when b is 0 (a share of nothing is unknown, not 0). */
export const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/** Rounds money to kopecks so sums of many floats print as the portal shows them. */
export const money = (x: number): number => Math.round(x * 100) / 100;
