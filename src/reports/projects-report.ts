import type { LabItemRow, Period, Semantic, StageChangeRow, StageDirectory, UserNames } from './rows.js';
import { DAY_MS, inPeriod, ratio, userName } from './rows.js';

/**
 * The laboratory's projects (smart process «Лаборатория») as at the end of the period. Items in scope:
 * those in work at the end, and those finished in the period.
 * - per direction and stage: items now in the stage; overdue (in work, planned end passed); average
 *   days in the stage over the stays that ended in the period (crm.stagehistory.list);
 * - per direction: in work, overdue, done in the period (success stage), lead time from creation to
 *   done (days), share done by the planned end (of the done items that had one);
 * - per lab assistant: items in work, done in the period, overdue.
 */
export interface ProjectStageLine {
  categoryId: number;
  direction: string;
  stageId: string;
  stage: string;
  semantic: Semantic;
  items: number;
  overdue: number;
  averageDays: number | null;
}

export interface ProjectDirectionLine {
  categoryId: number;
  direction: string;
  items: number;
  inWork: number;
  overdue: number;
  done: number;
  averageLeadDays: number | null;
  onTimeShare: number | null;
}

export interface AssistantLine {
  userId: number;
  name: string;
  inWork: number;
  done: number;
  overdue: number;
}

export interface ProjectsReport {
  report: 'projects';
  period: Period;
  stages: ProjectStageLine[];
  directions: ProjectDirectionLine[];
  assistants: AssistantLine[];
  totals: Omit<ProjectDirectionLine, 'categoryId' | 'direction'>;
}

interface DirAcc {
  items: number;
  inWork: number;
  overdue: number;
  done: number;
  leadMs: number;
  withDeadline: number;
  onTime: number;
}

const dirAcc = (): DirAcc => ({
  items: 0,
  inWork: 0,
  overdue: 0,
  done: 0,
  leadMs: 0,
  withDeadline: 0,
  onTime: 0,
});

const dirLine = (a: DirAcc): Omit<ProjectDirectionLine, 'categoryId' | 'direction'> => {
  const lead = ratio(a.leadMs, a.done);
  return {
    items: a.items,
    inWork: a.inWork,
    overdue: a.overdue,
    done: a.done,
    averageLeadDays: lead === null ? null : lead / DAY_MS,
    onTimeShare: ratio(a.onTime, a.withDeadline),
  };
};

/** One pass over the items, one over the history (memory: the last stage of each item). */
export async function projectsReport(
  input: { items: AsyncIterable<LabItemRow>; history?: AsyncIterable<StageChangeRow> },
  period: Period,
  directory: StageDirectory,
  options: { names: UserNames },
): Promise<ProjectsReport> {
  const key = (categoryId: number, stageId: string): string => `${categoryId}\u0000${stageId}`;
  const stageAcc = new Map<string, { items: number; overdue: number; stayMs: number; stays: number }>();
  for (const s of directory.stages)
    stageAcc.set(key(s.categoryId, s.id), { items: 0, overdue: 0, stayMs: 0, stays: 0 });
  const semantics = new Map(directory.stages.map((s) => [key(s.categoryId, s.id), s.semantic]));
  const dirs = new Map<number, DirAcc>(directory.categories.map((c) => [c.id, dirAcc()]));
  const people = new Map<number, AssistantLine>();
  const total = dirAcc();

  for await (const item of input.items) {
    if (item.createdAt >= period.to) continue;
    const finished = item.finishedAt !== null && item.finishedAt < period.to;
    if (finished && !inPeriod(item.finishedAt, period)) continue;
    const inWork = !finished;
    const overdue = inWork && item.deadline !== null && item.deadline < period.to;
    const done = finished && item.semantic === 'S';
    const s = stageAcc.get(key(item.categoryId, item.stageId));
    if (s) {
      s.items++;
      if (overdue) s.overdue++;
    }
    let person = people.get(item.assignedById);
    if (!person) {
      person = {
        userId: item.assignedById,
        name: userName(options.names, item.assignedById),
        inWork: 0,
        done: 0,
        overdue: 0,
      };
      people.set(item.assignedById, person);
    }
    for (const a of [dirs.get(item.categoryId), total]) {
      if (!a) continue;
      a.items++;
      if (inWork) a.inWork++;
      if (overdue) a.overdue++;
      if (done) {
        a.done++;
        a.leadMs += (item.finishedAt ?? item.createdAt) - item.createdAt;
        if (item.deadline !== null) {
          a.withDeadline++;
          if ((item.finishedAt ?? 0) <= item.deadline) a.onTime++;
        }
      }
    }
    if (inWork) person.inWork++;
    if (overdue) person.overdue++;
    if (done) person.done++;
  }

  if (input.history) {
    const last = new Map<number, { categoryId: number; stageId: string; at: number }>();
    for await (const h of input.history) {
      const prev = last.get(h.ownerId);
      if (prev && prev.categoryId === h.categoryId && inPeriod(h.at, period)) {
        const k = key(prev.categoryId, prev.stageId);
        const s = stageAcc.get(k);
        if (s && semantics.get(k) === 'P' && h.at >= prev.at) {
          s.stayMs += h.at - prev.at;
          s.stays++;
        }
      }
      last.set(h.ownerId, { categoryId: h.categoryId, stageId: h.stageId, at: h.at });
    }
  }

  const names = new Map(directory.categories.map((c) => [c.id, c.name]));
  const stages: ProjectStageLine[] = directory.stages.map((s) => {
    const a = stageAcc.get(key(s.categoryId, s.id)) ?? { items: 0, overdue: 0, stayMs: 0, stays: 0 };
    const avg = ratio(a.stayMs, a.stays);
    return {
      categoryId: s.categoryId,
      direction: names.get(s.categoryId) ?? `#${s.categoryId}`,
      stageId: s.id,
      stage: s.name,
      semantic: s.semantic,
      items: a.items,
      overdue: a.overdue,
      averageDays: avg === null ? null : avg / DAY_MS,
    };
  });
  const directions = directory.categories.map((c) => ({
    categoryId: c.id,
    direction: c.name,
    ...dirLine(dirs.get(c.id) ?? dirAcc()),
  }));
  const assistants = [...people.values()].sort(
    (a, b) => b.inWork - a.inWork || b.done - a.done || a.name.localeCompare(b.name, 'ru'),
  );
  return { report: 'projects', period, stages, directions, assistants, totals: dirLine(total) };
}
