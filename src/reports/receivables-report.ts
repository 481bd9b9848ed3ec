import type { DealRow, Period, UserNames } from './rows.js';
import { DAY_MS, money, userName } from './rows.js';

/**
 * Every unpaid remainder as at the end of the period: deals that are not lost, created before the end,
 * whose remaining amount is above zero. The remaining amount is the deal's «Остаток» field (kept by the
 * "remaining amount" automation); when it is empty but «Оплачено» is filled, amount − paid. A deal
 * with neither field filled has no payment tracking yet and is left out.
 */
export interface ReceivableLine {
  dealId: number;
  title: string;
  client: string | null;
  userId: number;
  manager: string;
  amount: number;
  paid: number;
  remaining: number;
  /** Whole days from sending the results to the end of the period; null when not sent yet. */
  daysSinceResults: number | null;
}

export interface ReceivablesByManager {
  userId: number;
  manager: string;
  deals: number;
  amount: number;
  paid: number;
  remaining: number;
}

export interface ReceivablesReport {
  report: 'receivables';
  period: Period;
  rows: ReceivableLine[];
  byManager: ReceivablesByManager[];
  totals: { deals: number; amount: number; paid: number; remaining: number };
}

export interface ReceivablesOptions {
  names: UserNames;
}

/** Keeps only the unpaid deals (the report's own rows); totals are folded in the same pass. */
export async function receivablesReport(
  deals: AsyncIterable<DealRow>,
  period: Period,
  options: ReceivablesOptions,
): Promise<ReceivablesReport> {
  const rows: ReceivableLine[] = [];
  const byUser = new Map<number, ReceivablesByManager>();
  const totals = { deals: 0, amount: 0, paid: 0, remaining: 0 };
  for await (const d of deals) {
    if (d.semantic === 'F' || d.createdAt >= period.to) continue;
    const remaining = d.remaining ?? (d.paid !== null ? d.amount - d.paid : null);
    if (remaining === null || remaining <= 0) continue;
    const paid = d.paid ?? Math.max(0, d.amount - remaining);
    const manager = userName(options.names, d.assignedById);
    const sent = d.resultsSentAt !== null && d.resultsSentAt < period.to ? d.resultsSentAt : null;
    rows.push({
      dealId: d.id,
      title: d.title,
      client: d.client,
      userId: d.assignedById,
      manager,
      amount: money(d.amount),
      paid: money(paid),
      remaining: money(remaining),
      daysSinceResults: sent === null ? null : Math.floor((period.to - sent) / DAY_MS),
    });
    let m = byUser.get(d.assignedById);
    if (!m) {
      m = { userId: d.assignedById, manager, deals: 0, amount: 0, paid: 0, remaining: 0 };
      byUser.set(d.assignedById, m);
    }
    m.deals++;
    m.amount += d.amount;
    m.paid += paid;
    m.remaining += remaining;
    totals.deals++;
    totals.amount += d.amount;
    totals.paid += paid;
    totals.remaining += remaining;
  }
  // Oldest debts first: the longer since the results went out, the more urgent the call.
  rows.sort(
    (a, b) =>
      (b.daysSinceResults ?? -1) - (a.daysSinceResults ?? -1) ||
      b.remaining - a.remaining ||
      a.dealId - b.dealId,
  );
  const managers = [...byUser.values()].map((m) => ({
    ...m,
    amount: money(m.amount),
    paid: money(m.paid),
    remaining: money(m.remaining),
  }));
  managers.sort((a, b) => b.remaining - a.remaining || a.manager.localeCompare(b.manager, 'ru'));
  return {
    report: 'receivables',
    period,
    rows,
    byManager: managers,
    totals: {
      deals: totals.deals,
      amount: money(totals.amount),
      paid: money(totals.paid),
      remaining: money(totals.remaining),
    },
  };
}
