/**
 * A local portal set up as the laboratory's (pipelines, the «Лаборатория» smart process with its
 * directions, stages and «Срок сдачи» field from config/; a small company structure), and a job
 * environment talking to it over real HTTP: what the automation scenario tests share.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.js';
import type { LabConfig } from '../../src/config/config-sections.js';
import { loadConfig } from '../../src/config/load-config.js';
import { computePlan } from '../../src/provision/compute-plan.js';
import { callFor, callIds } from '../../src/provision/operation-calls.js';
import { emptySnapshot } from '../../src/provision/snapshot.js';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import type { JobEnvironment } from '../../src/jobs/job-context.js';
import { createClient } from '../../src/rest/client.js';
import type { StateDb } from '../../src/state/state-db.js';
import { openStateDb } from '../../src/state/state-db.js';
import { createMemoryLogger } from '../../src/ui/logger.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';

export interface LabIds {
  pipelines: Record<string, { id: number; stage: (code: string) => string }>;
  lab: {
    entityTypeId: number;
    typeId: number;
    direction: (key: string) => { id: number; stage: (code: string) => string };
  };
  users: {
    director: number;
    salesHead: number;
    manager: number;
    labHead: number;
    gtiHead: number;
    assistant: number;
    observerA: number;
    observerB: number;
  };
}

export interface LabPortal {
  local: LocalPortal;
  base: string;
  config: LabConfig;
  ids: LabIds;
  call: (method: string, params?: Record<string, unknown>) => Promise<any>;
  advance: (days: number) => Promise<void>;
  notifications: (userId: number) => Promise<{ tag: string; message: string }[]>;
  tasks: (
    binding: string,
  ) => Promise<{ id: string; title: string; description: string; responsibleId: string }[]>;
  close(): Promise<void>;
}

export function shippedConfig(): LabConfig {
  const loaded = loadConfig('config');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return loaded.config;
}

export async function labPortal(options: { latencyMs?: number } = {}): Promise<LabPortal> {
  const local = await portalForTest(options.latencyMs ? { latencyMs: options.latencyMs } : {});
  const base = local.webhookUrl;
  const call = (method: string, params: Record<string, unknown> = {}): Promise<any> =>
    callOk(base, method, params);
  const config = shippedConfig();

  // Company: 1 «Компания» (head: the director, user 1) > «Отдел продаж» (head) > «Менеджеры» (no head);
  // 1 > «Лаборатория» (head) > «ГТИ» (head).
  const dept = (NAME: string, PARENT: number): Promise<number> => call('department.add', { NAME, PARENT });
  const user = async (name: string, department: number): Promise<number> =>
    Number(
      await call('user.add', {
        NAME: name,
        EMAIL: `${name.toLowerCase()}@lab.example`,
        UF_DEPARTMENT: [department],
      }),
    );
  const sales = Number(await dept('Отдел продаж', 1));
  const managers = Number(await dept('Менеджеры', sales));
  const laboratory = Number(await dept('Лаборатория', 1));
  const gti = Number(await dept('ГТИ', laboratory));
  const users = {
    director: 1,
    salesHead: await user('SalesHead', sales),
    manager: await user('Manager', managers),
    labHead: await user('LabHead', laboratory),
    gtiHead: await user('GtiHead', gti),
    assistant: await user('Assistant', gti),
    observerA: await user('ObserverA', sales),
    observerB: await user('ObserverB', managers),
  };
  await call('department.update', { ID: sales, UF_HEAD: users.salesHead });
  await call('department.update', { ID: laboratory, UF_HEAD: users.labHead });
  await call('department.update', { ID: gti, UF_HEAD: users.gtiHead });

  // Stages as the config lists them; the defaults a new pipeline gets stay, unused.
  const ensureStages = async (
    entityId: string,
    stages: { code: string; name: string; semantics: string }[],
  ): Promise<void> => {
    const existing: { STATUS_ID: string }[] = await call('crm.status.list', {
      filter: { ENTITY_ID: entityId },
    });
    const codes = new Set(existing.map((s) => s.STATUS_ID.replace(/^.*:/, '')));
    let sort = 11;
    for (const s of stages) {
      if (s.semantics !== 'process' || codes.has(s.code)) continue;
      await call('crm.status.add', {
        fields: { ENTITY_ID: entityId, STATUS_ID: s.code, NAME: s.name, SORT: sort++ },
      });
    }
  };

  const pipelines: LabIds['pipelines'] = {};
  for (const p of config.pipelines ?? []) {
    const { category } = await call('crm.category.add', {
      entityTypeId: 2,
      fields: { name: p.name, sort: p.sort ?? 500, originId: p.key },
    });
    const id = Number(category.id);
    await ensureStages(`DEAL_STAGE_${id}`, p.stages);
    pipelines[p.key] = { id, stage: (code) => `C${id}:${code}` };
  }

  const sp = config.smartProcesses![0]!;
  const { type } = await call('crm.type.add', {
    fields: {
      title: sp.title,
      code: sp.key,
      isCategoriesEnabled: 'Y',
      isStagesEnabled: 'Y',
      isObserversEnabled: 'Y',
      isBeginCloseDatesEnabled: 'Y',
      isUseInUserfieldEnabled: 'Y',
      linkedUserFields: { 'TASKS_TASK|UF_CRM_TASK': 'true' },
    },
  });
  const entityTypeId = Number(type.entityTypeId);
  const typeId = Number(type.id);
  const directions: Record<string, number> = {};
  for (const c of sp.categories) {
    const { category } = await call('crm.category.add', {
      entityTypeId,
      fields: { name: c.name, sort: c.sort ?? 500, code: c.key },
    });
    const id = Number(category.id);
    directions[c.key] = id;
    await ensureStages(`DYNAMIC_${entityTypeId}_STAGE_${id}`, c.stages);
  }
  await call('userfieldconfig.add', {
    moduleId: 'crm',
    field: { entityId: `CRM_${typeId}`, fieldName: `UF_CRM_${typeId}_DEADLINE`, userTypeId: 'date' },
  });

  // The universal lists of config/lists.yaml, as `apply` makes them (rules on list elements need them).
  const listPlan = computePlan({ lists: config.lists ?? [] }, { ...emptySnapshot(), lists: [] });
  for (const op of listPlan.operations.filter((o) => o.action !== 'noop')) {
    const c = callFor(
      op,
      callIds(() => undefined, false),
    );
    await call(c.method, c.params);
  }

  const ids: LabIds = {
    pipelines,
    lab: {
      entityTypeId,
      typeId,
      direction: (key) => {
        const id = directions[key]!;
        return { id, stage: (code) => `DT${entityTypeId}_${id}:${code}` };
      },
    },
    users,
  };
  return {
    local,
    base,
    config,
    ids,
    call,
    advance: async (days) => {
      await call('b24lab.clock.advance', { days });
    },
    notifications: async (userId) =>
      (await call('b24lab.notifications.list', { userId })) as { tag: string; message: string }[],
    tasks: async (binding) => {
      const answer = await call('tasks.task.list', {
        filter: { UF_CRM_TASK: binding },
        select: ['ID', 'TITLE', 'DESCRIPTION', 'RESPONSIBLE_ID'],
      });
      return answer.tasks as { id: string; title: string; description: string; responsibleId: string }[];
    },
    close: () => local.close(),
  };
}

export interface TestEnvironment extends JobEnvironment {
  logger: ReturnType<typeof createMemoryLogger>;
  dir: string;
  close(): void;
}

/** A job environment for the portal with its own (or a given) state directory. */
export function jobEnvironment(
  lab: LabPortal,
  options: { dir?: string; afterCall?: JobEnvironment['afterCall']; pid?: number } = {},
): TestEnvironment {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'b24lab-jobs-'));
  const client = createClient({
    connection: { kind: 'webhook', url: lab.base },
    stateDir: dir,
    rateLimit: 'off',
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  const state: StateDb = openStateDb(dir);
  const logger = createMemoryLogger();
  return {
    client,
    state,
    config: lab.config,
    clock: systemClock,
    logger,
    process: { pid: options.pid ?? process.pid, host: hostname(), isAlive: () => true },
    ...(options.afterCall ? { afterCall: options.afterCall } : {}),
    dir,
    close: () => {
      state.close();
      client.close();
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
