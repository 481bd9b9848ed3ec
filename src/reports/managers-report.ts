import type { DealRow, EscalationRow, Period, TaskRow, UserNames } from './rows.js';
import { DAY_MS, inPeriod, money, ratio, userName } from './rows.js';

/**
 * Manager efficiency over a period, "as at" its end. Definitions (each one has a hand-worked test in
 * tests/unit/report-managers.test.ts):
 * - created: deals created in the period; won / lost: deals that reached a success / failure stage in
 *   the period; open: deals created before the end and not closed by then.
 * - conversion: won / (won + lost) of the period (Bitrix24's DEAL_CONVERSION counts closed deals too).
 * - won amount, average deal (won amount / won), average cycle (created -> won, days).
 * - over limit: deals still open whose current stage is older than its control limit at the end.
 * - escalations: the automation ledger's escalations in the period of the deals the manager is now
 *   responsible for.
 * - tasks: completed in the period; completed on time (no deadline, or done by it); overdue: the
 *   deadline fell in the period and the task was not done by then.
 * - feedback share: of the deals won in the period, those with the client's feedback collected.
 * - remaining: the unpaid remainder of the manager's deals that are not lost, as at the end.
 * Lines exist for the users responsible for deals; tasks of other users are not counted.
 * Escalations (few: a local ledger) are read first into a per-deal count; deals and tasks then stream.
 */
export interface ManagerMetrics {
  created: number;
  won: number;
  lost: number;
  open: number;
  conversion: number | null;
  wonAmount: number;
  averageDeal: number | null;
  averageCycleDays: number | null;
  overLimit: number;
  escalations: number;
  tasksCompleted: number;
  tasksOnTime: number;
  tasksOverdue: number;
  feedbackShare: number | null;
  remaining: number;
}

export interface ManagerLine extends ManagerMetrics {
  userId: number;
  name: string;
}

export interface ManagersReport {
  report: 'managers';
  period: Period;
  rows: ManagerLine[];
  totals: ManagerMetrics;
}

export interface ManagersOptions {
  names: UserNames;
  /** Days a deal may stay in a stage before it counts as over the control limit (default 15). */
  controlLimitDays?: number;
  /** Per-stage limits in days, by stage id (e.g. «Квалификация пройдена»: 15). */
  stageLimitDays?: Readonly<Record<string, number>>;
}

export interface ManagersInput {
  deals: AsyncIterable<DealRow>;
  tasks?: AsyncIterable<TaskRow>;
  escalations?: AsyncIterable<EscalationRow>;
}

interface Acc {
  created: number;
  won: number;
  lost: number;
  open: number;
  wonAmount: number;
  cycleMs: number;
  overLimit: number;
  escalations: number;
  tasksCompleted: number;
  tasksOnTime: number;
  tasksOverdue: number;
  feedback: number;
  remaining: number;
}

const emptyAcc = (): Acc => ({
  created: 0,
  won: 0,
  lost: 0,
  open: 0,
  wonAmount: 0,
  cycleMs: 0,
  overLimit: 0,
  escalations: 0,
  tasksCompleted: 0,
  tasksOnTime: 0,
  tasksOverdue: 0,
  feedback: 0,
  remaining: 0,
});

function metrics(a: Acc): ManagerMetrics {
  const cycle = ratio(a.cycleMs, a.won);
  const avg = ratio(a.wonAmount, a.won);
  return {
    created: a.created,
    won: a.won,
    lost: a.lost,
    open: a.open,
    conversion: ratio(a.won, a.won + a.lost),
    wonAmount: money(a.wonAmount),
    averageDeal: avg === null ? null : money(avg),
    averageCycleDays: cycle === null ? null : cycle / DAY_MS,
    overLimit: a.overLimit,
    escalations: a.escalations,
    tasksCompleted: a.tasksCompleted,
    tasksOnTime: a.tasksOnTime,
    tasksOverdue: a.tasksOverdue,
    feedbackShare: ratio(a.feedback, a.won),
    remaining: money(a.remaining),
  };
}

/** One pass over each stream; memory grows with the number of managers only. */
export async function managersReport(
  input: ManagersInput,
  period: Period,
  options: ManagersOptions,
): Promise<ManagersReport> {
  const limitDays = options.controlLimitDays ?? 15;
  const byUser = new Map<number, Acc>();
  const acc = (id: number): Acc => {
    let a = byUser.get(id);
    if (!a) {
      a = emptyAcc();
      byUser.set(id, a);
    }
    return a;
  };

  const escalated = new Map<number, number>();
  if (input.escalations) {
    for await (const e of input.escalations) {
      if (inPeriod(e.at, period)) escalated.set(e.dealId, (escalated.get(e.dealId) ?? 0) + 1);
    }
  }

  for await (const d of input.deals) {
    if (d.createdAt >= period.to) continue;
    const a = acc(d.assignedById);
    a.escalations += escalated.get(d.id) ?? 0;
    if (inPeriod(d.createdAt, period)) a.created++;
    const closedInPeriod = inPeriod(d.closedAt, period);
    if (d.semantic === 'S' && closedInPeriod) {
      a.won++;
      a.wonAmount += d.amount;
      a.cycleMs += (d.closedAt ?? d.createdAt) - d.createdAt;
      if (d.feedback) a.feedback++;
    }
    if (d.semantic === 'F' && closedInPeriod) a.lost++;
    if (d.closedAt === null || d.closedAt >= period.to) a.open++;
    if (d.closedAt === null && d.movedAt < period.to) {
      const limit = options.stageLimitDays?.[d.stageId] ?? limitDays;
      if (period.to - d.movedAt > limit * DAY_MS) a.overLimit++;
    }
    if (d.semantic !== 'F') {
      const remaining = d.remaining ?? (d.paid !== null ? d.amount - d.paid : 0);
      if (remaining > 0) a.remaining += remaining;
    }
  }

  if (input.tasks) {
    for await (const t of input.tasks) {
      const a = byUser.get(t.responsibleId);
      if (!a) continue;
      if (inPeriod(t.closedAt, period)) {
        a.tasksCompleted++;
        if (t.deadline === null || t.closedAt <= t.deadline) a.tasksOnTime++;
      }
      if (inPeriod(t.deadline, period) && (t.closedAt === null || t.closedAt > t.deadline)) {
        a.tasksOverdue++;
      }
    }
  }

  const total = emptyAcc();
  const rows: ManagerLine[] = [];
  for (const [userId, a] of byUser) {
    for (const key of Object.keys(total) as (keyof Acc)[]) total[key] += a[key];
    rows.push({ userId, name: userName(options.names, userId), ...metrics(a) });
  }
  rows.sort((x, y) => y.wonAmount - x.wonAmount || y.won - x.won || x.name.localeCompare(y.name, 'ru'));
  return { report: 'managers', period, rows, totals: metrics(total) };
}
