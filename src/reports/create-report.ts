import type { LabConfig } from '../config/config-sections.js';
import { UserError } from '../errors.js';
import { readControlLimits } from './control-limits.js';
import type { B24Client } from '../rest/client.js';
import type { ListProgress } from '../rest/list.js';
import { funnelReport } from './funnel-report.js';
import { managersReport } from './managers-report.js';
import { offsetOf, parsePeriod } from './parse-period.js';
import { projectsReport } from './projects-report.js';
import {
  DEAL_ENTITY_TYPE,
  findSmartProcess,
  readDeals,
  readLabItems,
  readStageDirectory,
  readStageHistory,
  readTasks,
  readUserNames,
  withClients,
} from './read-portal.js';
import { receivablesReport } from './receivables-report.js';
import type { Report, ReportName } from './report-view.js';
import type { EscalationRow, StageDirectory } from './rows.js';

export interface ReportRequest {
  name: ReportName;
  from?: string;
  to?: string;
  /** A deal pipeline (or, for projects, a direction) by name or id. */
  pipeline?: string;
  controlLimitDays?: number;
  /** The configuration: its control rules give per-stage limits (control-limits.ts). */
  config?: LabConfig;
  /** From the automation ledger (read-ledger.ts); managers only. */
  escalations?: Iterable<EscalationRow>;
  onProgress?: (progress: ReportProgress) => void;
}

export interface ReportProgress extends ListProgress {
  /** What is being read: "deals", "stage history", "tasks", "items". */
  phase: string;
}

export interface CreatedReport {
  report: Report;
  /** The portal's UTC offset (from server.time), for the dates people read. */
  offsetMinutes: number;
  /** The portal's time when the report was made (ISO, portal offset). */
  generatedAt: string;
}

/** The laboratory's smart process (config/smart-processes.yaml: key in the type's code). */
export const LAB_PROCESS = { code: 'laboratory', title: 'Лаборатория' };

/** Reads what the report needs from the portal, streaming, and computes it. */
export async function createReport(client: B24Client, request: ReportRequest): Promise<CreatedReport> {
  const serverTime = await client.call<string>('server.time');
  // server.time has whole seconds: the current second belongs to "now".
  const now = Date.parse(serverTime) + 999;
  const offsetMinutes = offsetOf(serverTime);
  const period = parsePeriod(request.from, request.to, Number.isNaN(now) ? 0 : now, offsetMinutes);
  const progress = (phase: string) => ({
    onProgress: (p: ListProgress) => request.onProgress?.({ ...p, phase }),
  });
  const done = (report: Report): CreatedReport => ({ report, offsetMinutes, generatedAt: serverTime });

  if (request.name === 'projects') {
    const type = await findSmartProcess(client, LAB_PROCESS);
    if (!type) {
      throw new UserError(
        `The portal has no smart process «${LAB_PROCESS.title}».`,
        'Create it with `b24lab apply` (config/smart-processes.yaml), then run the report again.',
      );
    }
    const directory = pick(
      await readStageDirectory(client, type.entityTypeId),
      request.pipeline,
      'direction',
    );
    const only = new Set(directory.categories.map((c) => c.id));
    const names = await readUserNames(client);
    const items = readLabItems(client, type, directory, {
      createdBefore: period.to,
      list: progress('items'),
    });
    const history = readStageHistory(client, type.entityTypeId, {
      createdBefore: period.to,
      list: progress('stage history'),
    });
    return done(
      await projectsReport(
        { items: filterAsync(items, (i) => only.has(i.categoryId)), history },
        period,
        directory,
        { names },
      ),
    );
  }

  const directory = pick(await readStageDirectory(client, DEAL_ENTITY_TYPE), request.pipeline, 'pipeline');
  const categoryId = request.pipeline === undefined ? undefined : directory.categories[0]?.id;
  const inPipeline = { offsetMinutes, ...(categoryId === undefined ? {} : { categoryId }) };

  switch (request.name) {
    case 'managers': {
      const names = await readUserNames(client);
      const stageLimitDays = request.config ? await readControlLimits(client, request.config) : {};
      const deals = readDeals(client, { createdBefore: period.to, ...inPipeline, list: progress('deals') });
      return done(
        await managersReport(
          {
            deals,
            tasks: readTasks(client, period),
            ...(request.escalations ? { escalations: toAsync(request.escalations) } : {}),
          },
          period,
          {
            names,
            stageLimitDays,
            ...(request.controlLimitDays !== undefined ? { controlLimitDays: request.controlLimitDays } : {}),
          },
        ),
      );
    }
    case 'receivables': {
      const names = await readUserNames(client);
      const unpaid = [];
      for await (const d of readDeals(client, {
        createdBefore: period.to,
        unpaidOnly: true,
        ...inPipeline,
        list: progress('deals'),
      })) {
        unpaid.push(d);
      }
      const deals = await withClients(client, unpaid);
      return done(await receivablesReport(toAsync(deals), period, { names }));
    }
    case 'funnel': {
      const deals = readDeals(client, {
        createdFrom: period.from,
        createdBefore: period.to,
        ...inPipeline,
        list: progress('deals'),
      });
      const history = readStageHistory(client, DEAL_ENTITY_TYPE, {
        createdFrom: period.from,
        createdBefore: period.to,
        ...(categoryId === undefined ? {} : { categoryId }),
        list: progress('stage history'),
      });
      return done(await funnelReport({ deals, history }, period, directory));
    }
  }
}

/** Narrows a directory to one category named (case-insensitively) or numbered by `wanted`. */
function pick(directory: StageDirectory, wanted: string | undefined, what: string): StageDirectory {
  if (wanted === undefined) return directory;
  const w = wanted.trim().toLowerCase();
  const found = directory.categories.find((c) => c.name.toLowerCase() === w || String(c.id) === w);
  if (!found) {
    throw new UserError(
      `No ${what} "${wanted}" on the portal.`,
      `Known: ${directory.categories.map((c) => `${c.name} (${c.id})`).join(', ') || 'none'}.`,
    );
  }
  return {
    categories: [found],
    stages: directory.stages.filter((s) => s.categoryId === found.id),
  };
}

async function* toAsync<T>(rows: Iterable<T>): AsyncGenerator<T> {
  for (const row of rows) yield await Promise.resolve(row);
}

async function* filterAsync<T>(rows: AsyncIterable<T>, keep: (row: T) => boolean): AsyncGenerator<T> {
  for await (const row of rows) if (keep(row)) yield row;
}
