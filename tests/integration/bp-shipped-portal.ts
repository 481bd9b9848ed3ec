/**
 * A local portal provisioned from the shipped config/ by `apply` (departments with their heads,
 * pipelines, deal fields with their list items, «Лаборатория» with its directions, fields and deal
 * link, the contract registry), the people who work in it, and the jobs run with the shipped rules:
 * what the scenario tests of processes 1, 7 and 8 and the end-to-end walks share. People act as
 * themselves (an OAuth token of theirs), as they would in the browser.
 */
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { LabConfig } from '../../src/config/config-sections.js';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { runJob } from '../../src/jobs/run-job.js';
import type { JobResult } from '../../src/jobs/run-job.js';
import { applyPortal } from '../../src/provision/apply-portal.js';
import { createClient } from '../../src/rest/client.js';
import { openStateDb } from '../../src/state/state-db.js';
import { createMemoryLogger } from '../../src/ui/logger.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';
import type { TestEnvironment } from './automation-portal.js';
import { removeDir, shippedConfig } from './automation-portal.js';

/** The people of the laboratory: the heads the config names by e-mail, and the staff. */
const PEOPLE = {
  director: { email: 'director@sfo-nal.example', department: 'management' },
  salesHead: { email: 'sales.head@sfo-nal.example', department: 'sales' },
  procurementHead: { email: 'procurement.head@sfo-nal.example', department: 'procurement' },
  subcontractsHead: { email: 'subcontracts.head@sfo-nal.example', department: 'subcontracts' },
  labHead: { email: 'lab.head@sfo-nal.example', department: 'laboratory' },
  gtiHead: { email: 'gti.head@sfo-nal.example', department: 'lab-gti' },
  analyticsHead: { email: 'analytics.head@sfo-nal.example', department: 'lab-analytics' },
  accountant: { email: 'chief.accountant@sfo-nal.example', department: 'accounting' },
  manager: { email: 'manager@sfo-nal.example', department: 'sales' },
  procurementManager: { email: 'tenders@sfo-nal.example', department: 'procurement' },
  subcontractsManager: { email: 'subcontracts@sfo-nal.example', department: 'subcontracts' },
  assistant: { email: 'assistant@sfo-nal.example', department: 'lab-gti' },
  analyst: { email: 'analyst@sfo-nal.example', department: 'lab-analytics' },
  agent: { email: 'agent@sfo-nal.example', department: 'sales' },
} as const;

export type Person = keyof typeof PEOPLE;

export interface Task {
  id: string;
  title: string;
  description: string;
  status: string;
  responsibleId: string;
  closedBy: string | null;
}

export interface Item {
  id: number;
  title: string;
  categoryId: number;
  stageId: string;
  assignedById: number;
  observers: number[];
  parentId2: number | null;
  [field: string]: unknown;
}

export interface ShippedLab {
  local: LocalPortal;
  base: string;
  config: LabConfig;
  users: Record<Person, number>;
  /** `sales.stage('NEW')` -> `C3:NEW`. */
  pipelines: Record<string, { id: number; stage: (code: string) => string }>;
  lab: {
    entityTypeId: number;
    typeId: number;
    field: (code: string) => string;
    direction: (key: string) => { id: number; stage: (code: string) => string };
  };
  /** List item ids by XML_ID: `service.GTI`, `directions.ANALYTICS`. */
  enums: { service: Record<string, number>; directions: Record<string, number> };
  call: (method: string, params?: Record<string, unknown>) => Promise<any>;
  /** A call made by that person (an OAuth token of his, issued now: the clock moves in the tests). */
  as: (person: Person, method: string, params?: Record<string, unknown>) => Promise<any>;
  advance: (days: number) => Promise<void>;
  today: () => Promise<string>;
  deal: (id: number) => Promise<Record<string, any>>;
  items: (dealId: number) => Promise<Item[]>;
  tasks: (binding: string) => Promise<Task[]>;
  task: (binding: string, titlePrefix: string) => Promise<Task>;
  notifications: (person: Person) => Promise<string[]>;
  comments: (entityType: string, id: number) => Promise<string[]>;
  close(): Promise<void>;
}

export async function shippedLab(): Promise<ShippedLab> {
  const local = await portalForTest();
  const base = local.webhookUrl;
  const call = (method: string, params: Record<string, unknown> = {}): Promise<any> =>
    callOk(base, method, params);
  const config = shippedConfig();

  const users = {} as Record<Person, number>;
  for (const [person, p] of Object.entries(PEOPLE)) {
    users[person as Person] = Number(
      await call('user.add', { EMAIL: p.email, NAME: person, LAST_NAME: 'Тестов', UF_DEPARTMENT: [1] }),
    );
  }
  const stateDir = mkdtempSync(join(tmpdir(), 'b24lab-apply-'));
  const client = createClient({ connection: { kind: 'webhook', url: base }, stateDir, rateLimit: 'off' });
  try {
    const applied = await applyPortal({
      client,
      configDir: 'config',
      stateDir,
      allowDeletes: false,
      dryRun: false,
      now: () => Date.now(),
      show: () => {},
      confirm: () => Promise.resolve(true),
    });
    expect(applied.kind).toBe('applied');
  } finally {
    client.close();
    removeDir(stateDir);
  }

  // People into their departments (matched by name under the parent, as provisioning does).
  const departments = (await call('department.get', {})) as { ID: string; NAME: string; PARENT?: string }[];
  const departmentId = new Map<string, number>();
  for (const d of config.departments ?? []) {
    const parent = d.root ? undefined : d.parent ? departmentId.get(d.parent) : departmentId.get('company');
    const found = departments.find(
      (row) => row.NAME === d.name && (d.root ? !row.PARENT : Number(row.PARENT) === parent),
    );
    if (found) departmentId.set(d.key, Number(found.ID));
  }
  for (const [person, p] of Object.entries(PEOPLE)) {
    await call('user.update', {
      ID: users[person as Person],
      UF_DEPARTMENT: [departmentId.get(p.department)],
    });
  }

  const pipelines: ShippedLab['pipelines'] = {};
  const { categories } = (await call('crm.category.list', { entityTypeId: 2 })) as {
    categories: { id: number; originId: string }[];
  };
  for (const p of config.pipelines ?? []) {
    const id = Number(categories.find((c) => c.originId === p.key)!.id);
    pipelines[p.key] = { id, stage: (code) => `C${id}:${code}` };
  }
  const { types } = (await call('crm.type.list', {})) as {
    types: { id: number; entityTypeId: number; code: string }[];
  };
  const type = types.find((t) => t.code === 'laboratory')!;
  const entityTypeId = Number(type.entityTypeId);
  const typeId = Number(type.id);
  const directions = new Map<string, number>();
  const labCategories = (await call('crm.category.list', { entityTypeId })) as {
    categories: { id: number; code: string }[];
  };
  for (const c of labCategories.categories) directions.set(c.code, Number(c.id));

  const service = (await call('crm.deal.userfield.list', { filter: { FIELD_NAME: 'UF_CRM_SERVICE' } })) as {
    LIST: { ID: string; XML_ID: string }[];
  }[];
  const { fields: listFields } = (await call('userfieldconfig.list', {
    moduleId: 'crm',
    filter: { entityId: `CRM_${typeId}`, userTypeId: 'enumeration' },
  })) as { fields: { id: string; fieldName: string }[] };
  const directionsField = listFields.find((f) => f.fieldName === `UF_CRM_${typeId}_DIRECTIONS`)!;
  const { field } = (await call('userfieldconfig.get', { moduleId: 'crm', id: directionsField.id })) as {
    field: { enum: { id: string; xmlId: string }[] };
  };
  const enums = { service: {} as Record<string, number>, directions: {} as Record<string, number> };
  for (const i of service[0]!.LIST) enums.service[i.XML_ID] = Number(i.ID);
  for (const i of field.enum) enums.directions[i.xmlId] = Number(i.id);

  const as = async (person: Person, method: string, params: Record<string, unknown> = {}): Promise<any> => {
    const token = await call('b24lab.oauth.issue', { userId: users[person] });
    const answer = await rawCall(`${local.url}/rest/`, method, { ...params, auth: token.access_token });
    if (answer.status !== 200 || answer.body?.error !== undefined) {
      throw new Error(`${method} as ${person} failed: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer.body.result;
  };
  const tasks = async (binding: string): Promise<Task[]> => {
    const answer = (await call('tasks.task.list', {
      filter: { UF_CRM_TASK: binding },
      select: ['ID', 'TITLE', 'DESCRIPTION', 'STATUS', 'RESPONSIBLE_ID', 'CLOSED_BY'],
      order: { ID: 'asc' },
    })) as { tasks: Task[] };
    return answer.tasks;
  };
  return {
    local,
    base,
    config,
    users,
    pipelines,
    lab: {
      entityTypeId,
      typeId,
      field: (code) => `UF_CRM_${typeId}_${code}`,
      direction: (key) => {
        const id = directions.get(key)!;
        return { id, stage: (code) => `DT${entityTypeId}_${id}:${code}` };
      },
    },
    enums,
    call,
    as,
    advance: async (days) => {
      await call('b24lab.clock.advance', { days });
    },
    today: async () => ((await call('b24lab.clock.get')) as { time: string }).time.slice(0, 10),
    deal: async (id) =>
      (
        (await call('crm.item.get', { entityTypeId: 2, id, useOriginalUfNames: 'Y' })) as {
          item: Record<string, any>;
        }
      ).item,
    items: async (dealId) =>
      (
        (await call('crm.item.list', {
          entityTypeId,
          filter: { parentId2: dealId },
          order: { id: 'ASC' },
          select: ['*'],
          useOriginalUfNames: 'Y',
        })) as { items: Item[] }
      ).items,
    tasks,
    task: async (binding, prefix) => {
      const found = (await tasks(binding)).find((t) => t.title.startsWith(prefix));
      if (!found) throw new Error(`no task «${prefix}» bound to ${binding}`);
      return found;
    },
    notifications: async (person) =>
      ((await call('b24lab.notifications.list', { userId: users[person] })) as { message: string }[]).map(
        (n) => n.message,
      ),
    comments: async (entityType, id) =>
      (
        (await call('crm.timeline.comment.list', { filter: { ENTITY_ID: id, ENTITY_TYPE: entityType } })) as {
          COMMENT: string;
        }[]
      ).map((c) => c.COMMENT),
    close: () => local.close(),
  };
}

/** A job environment with the shipped config for the portal, with its own state directory. */
export function shippedJobs(lab: ShippedLab): TestEnvironment & {
  sync: () => Promise<JobResult>;
  control: () => Promise<JobResult>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'b24lab-jobs-'));
  const client = createClient({
    connection: { kind: 'webhook', url: lab.base },
    stateDir: dir,
    rateLimit: 'off',
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  const state = openStateDb(dir);
  const env = {
    client,
    state,
    config: lab.config,
    clock: systemClock,
    logger: createMemoryLogger(),
    process: { pid: process.pid, host: hostname(), isAlive: () => true },
    dir,
    close: () => {
      state.close();
      client.close();
      removeDir(dir);
    },
  };
  return {
    ...env,
    // A little portal time passes between runs, as between two cron runs: what a person changes
    // after a run is listed by the next one.
    sync: async () => {
      const run = await runJob('sync', env);
      await lab.advance(0.001);
      return run;
    },
    control: () => runJob('control', env),
  };
}

/** What a run did, compactly: `rule kind outcome` per action. */
export function done(run: JobResult): string[] {
  return run.actions.map((a) => `${a.ruleId} ${a.kind} ${a.outcome}`);
}
