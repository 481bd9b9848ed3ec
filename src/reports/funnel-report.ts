import type { DealRow, Period, Semantic, StageChangeRow, StageDirectory } from './rows.js';
import { DAY_MS, money, ratio } from './rows.js';

/**
 * The sales funnel of the deals created in the period (a cohort), per pipeline and stage:
 * - deals / amount: the cohort's deals now in the stage;
 * - reached: deals that got at least this far. Stages count in their SORT order ("classic" funnel of
 *   Bitrix24's analytics): a deal at a later stage, or won, passed every in-progress stage before it;
 *   a lost deal reached the furthest in-progress stage of its history;
 * - conversion to the next stage: reached(next) / reached(this); the last in-progress stage leads to
 *   the success stage; to won: won / reached(this);
 * - average days in stage: completed stays of the cohort's deals (entered, then left), from
 *   crm.stagehistory.list; stays in final stages are not counted (analytics' "avg spent time" too).
 * Deals that moved between pipelines count where they are now (stage history then only lists the
 * current pipeline's stages: b24restdocs issue #8).
 */
export interface FunnelStageLine {
  stageId: string;
  stage: string;
  semantic: Semantic;
  deals: number;
  amount: number;
  /** Null for a failure stage (no one "reaches" losing). */
  reached: number | null;
  averageDays: number | null;
  toNext: number | null;
  toWon: number | null;
}

export interface FunnelPipeline {
  categoryId: number;
  name: string;
  stages: FunnelStageLine[];
  totals: { deals: number; amount: number; won: number; lost: number; conversion: number | null };
}

export interface FunnelReport {
  report: 'funnel';
  period: Period;
  pipelines: FunnelPipeline[];
}

interface CohortDeal {
  categoryId: number;
  /** Furthest in-progress stage index reached (-1 = none known yet). */
  reached: number;
  won: boolean;
  /** The previous history entry of this deal, to close a stay when the next one comes. */
  lastStage: string | null;
  lastAt: number;
}

interface StageAcc {
  deals: number;
  amount: number;
  stayMs: number;
  stays: number;
}

/**
 * Reads the deals first (keeping a small record per cohort deal), then the stage history (in the
 * portal's ID order, which is chronological per deal). Memory: one small record per deal of the cohort.
 */
export async function funnelReport(
  input: { deals: AsyncIterable<DealRow>; history: AsyncIterable<StageChangeRow> },
  period: Period,
  directory: StageDirectory,
): Promise<FunnelReport> {
  // In-progress stages in order, per pipeline: the funnel's axis.
  const progress = new Map<number, string[]>();
  for (const s of directory.stages) {
    if (s.semantic !== 'P') continue;
    const list = progress.get(s.categoryId) ?? [];
    list.push(s.id);
    progress.set(s.categoryId, list);
  }
  const indexOf = (categoryId: number, stageId: string): number =>
    progress.get(categoryId)?.indexOf(stageId) ?? -1;

  const stageAcc = new Map<string, StageAcc>();
  const at = (categoryId: number, stageId: string): StageAcc => {
    const key = `${categoryId}\u0000${stageId}`;
    let a = stageAcc.get(key);
    if (!a) {
      a = { deals: 0, amount: 0, stayMs: 0, stays: 0 };
      stageAcc.set(key, a);
    }
    return a;
  };
  const cohort = new Map<number, CohortDeal>();
  const won = new Map<number, number>();
  const lost = new Map<number, number>();

  for await (const d of input.deals) {
    if (d.createdAt < period.from || d.createdAt >= period.to) continue;
    const a = at(d.categoryId, d.stageId);
    a.deals++;
    a.amount += d.amount;
    cohort.set(d.id, {
      categoryId: d.categoryId,
      reached: d.semantic === 'P' ? indexOf(d.categoryId, d.stageId) : -1,
      won: d.semantic === 'S',
      lastStage: null,
      lastAt: 0,
    });
    if (d.semantic === 'S') won.set(d.categoryId, (won.get(d.categoryId) ?? 0) + 1);
    if (d.semantic === 'F') lost.set(d.categoryId, (lost.get(d.categoryId) ?? 0) + 1);
  }

  for await (const h of input.history) {
    const deal = cohort.get(h.ownerId);
    if (!deal || h.categoryId !== deal.categoryId) continue;
    if (deal.lastStage !== null && h.at >= deal.lastAt) {
      const prev = indexOf(deal.categoryId, deal.lastStage);
      if (prev >= 0) {
        const a = at(deal.categoryId, deal.lastStage);
        a.stayMs += h.at - deal.lastAt;
        a.stays++;
      }
    }
    deal.lastStage = h.stageId;
    deal.lastAt = h.at;
    if (h.semantic === 'P') deal.reached = Math.max(deal.reached, indexOf(deal.categoryId, h.stageId));
  }

  // reached[i] = deals whose furthest stage is >= i; won deals passed every in-progress stage.
  const reachedCounts = new Map<number, number[]>();
  for (const deal of cohort.values()) {
    const stages = progress.get(deal.categoryId) ?? [];
    const furthest = deal.won ? stages.length - 1 : Math.max(0, deal.reached);
    const counts = reachedCounts.get(deal.categoryId) ?? new Array<number>(stages.length).fill(0);
    for (let i = 0; i <= furthest && i < stages.length; i++) counts[i] = (counts[i] ?? 0) + 1;
    reachedCounts.set(deal.categoryId, counts);
  }

  const pipelines: FunnelPipeline[] = directory.categories.map((c) => {
    const counts = reachedCounts.get(c.id) ?? [];
    const wonCount = won.get(c.id) ?? 0;
    const lostCount = lost.get(c.id) ?? 0;
    const stages = directory.stages.filter((s) => s.categoryId === c.id);
    const progressIds = progress.get(c.id) ?? [];
    let dealsTotal = 0;
    let amountTotal = 0;
    const lines = stages.map((s): FunnelStageLine => {
      const a = stageAcc.get(`${c.id}\u0000${s.id}`) ?? { deals: 0, amount: 0, stayMs: 0, stays: 0 };
      dealsTotal += a.deals;
      amountTotal += a.amount;
      const i = progressIds.indexOf(s.id);
      const reached = s.semantic === 'S' ? wonCount : s.semantic === 'F' ? null : (counts[i] ?? 0);
      const next = s.semantic !== 'P' ? null : i + 1 < progressIds.length ? (counts[i + 1] ?? 0) : wonCount;
      const avg = ratio(a.stayMs, a.stays);
      return {
        stageId: s.id,
        stage: s.name,
        semantic: s.semantic,
        deals: a.deals,
        amount: money(a.amount),
        reached,
        averageDays: avg === null ? null : avg / DAY_MS,
        toNext: next === null || reached === null ? null : ratio(next, reached),
        toWon: reached === null || s.semantic === 'F' ? null : ratio(wonCount, reached),
      };
    });
    return {
      categoryId: c.id,
      name: c.name,
      stages: lines,
      totals: {
        deals: dealsTotal,
        amount: money(amountTotal),
        won: wonCount,
        lost: lostCount,
        conversion: ratio(wonCount, wonCount + lostCount),
      },
    };
  });
  return { report: 'funnel', period, pipelines };
}
