import { describe, expect, it } from 'vitest';
import type { B24Client } from '../../src/rest/client.js';
import type { BatchCall, BatchOutcome } from '../../src/rest/batch.js';
import { B24Error } from '../../src/rest/errors.js';
import { applyPlan, explainFailure } from '../../src/provision/apply-plan.js';
import { computePlan } from '../../src/provision/compute-plan.js';
import { callFor, callIds, createdRef } from '../../src/provision/operation-calls.js';
import type { Operation, Plan } from '../../src/provision/plan.js';
import { selectOperations } from '../../src/provision/select-operations.js';
import { renderPlan } from '../../src/ui/render-plan.js';
import { config, emptyPortal, provisioned } from './provision-fixtures.js';

const PIPELINE = `
pipelines:
  - key: sales
    name: Продажи
    stages:
      - { code: NEW, name: Новая заявка }
      - { code: QUALIFIED, name: Квалификация пройдена }
      - { code: WON, name: Сделка успешна, semantics: success }
      - { code: LOSE, name: Сделка провалена, semantics: failure }
`;

const op = (plan: Plan, address: string): Operation => plan.operations.find((o) => o.address === address)!;
const placeholders = (plan: Plan) => callIds((a) => plan.known[a], false);

describe('REST calls of operations', () => {
  it('creates and resolves owners: a department under a new parent, a stage of a new pipeline', () => {
    const plan = computePlan(
      config(
        `departments:\n  - { key: lab, name: Лаборатория }\n  - { key: gti, name: ГТИ, parent: lab, head: sales.head@sfo-nal.example }\n${PIPELINE}`,
      ),
      emptyPortal(),
    );
    expect(callFor(op(plan, 'department:gti'), placeholders(plan))).toEqual({
      method: 'department.add',
      params: { NAME: 'ГТИ', SORT: 500, UF_HEAD: 3, PARENT: '<id of department:lab>' },
    });
    const ids = callIds((a) => (a === 'pipeline:sales' ? { id: 7, entityTypeId: 2 } : plan.known[a]), true);
    expect(callFor(op(plan, 'pipeline:sales/stage:QUALIFIED'), ids)).toEqual({
      method: 'crm.status.add',
      params: {
        fields: {
          ENTITY_ID: 'DEAL_STAGE_7',
          STATUS_ID: 'QUALIFIED',
          NAME: 'Квалификация пройдена',
          SORT: 35,
          SEMANTICS: '',
        },
      },
    });
    expect(callFor(op(plan, 'pipeline:sales'), ids)).toEqual({
      method: 'crm.category.add',
      params: { entityTypeId: 2, fields: { name: 'Продажи', originId: 'sales' } },
    });
    // A default stage the portal makes: removed with FORCED (system stages need it).
    expect(
      callFor(
        op(plan, 'pipeline:sales/stage:APOLOGY'),
        callIds(() => ({ id: 81 }), true),
      ),
    ).toEqual({
      method: 'crm.status.delete',
      params: { id: 81, params: { FORCED: 'Y' } },
    });
  });

  it('smart process: relations as "true"/"false" strings, fields on CRM_<type id>, direction default Y', () => {
    const cfg = config(`smartProcesses:
  - key: lab
    title: Лаборатория
    flags: { isCategoriesEnabled: true, isObserversEnabled: true }
    relations: { parents: [{ entity: deal }] }
    categories:
      - { key: a, name: А, stages: [{ code: NEW, name: Н }, { code: S, name: У, semantics: success }, { code: F, name: П, semantics: failure }] }
      - { key: b, name: Б, default: true, stages: [{ code: NEW, name: Н }, { code: S, name: У, semantics: success }, { code: F, name: П, semantics: failure }] }
    fields:
      - { code: DIRECTIONS, type: enumeration, label: Направления, multiple: true, list: [{ key: GTI, value: ГТИ }] }
`);
    const plan = computePlan(cfg, emptyPortal());
    const ids = callIds((a) => (a === 'smartProcess:lab' ? { id: 9, entityTypeId: 1040 } : undefined), false);
    expect(callFor(op(plan, 'smartProcess:lab'), ids)).toEqual({
      method: 'crm.type.add',
      params: {
        fields: {
          title: 'Лаборатория',
          code: 'lab',
          isCategoriesEnabled: 'Y',
          isObserversEnabled: 'Y',
          relations: { parent: [{ entityTypeId: 2, isChildrenListEnabled: 'true' }] },
        },
      },
    });
    expect(callFor(op(plan, 'smartProcess:lab/category:a'), ids)).toEqual({
      method: 'crm.category.add',
      params: { entityTypeId: 1040, fields: { name: 'А', code: 'a', isDefault: 'N' } },
    });
    expect(callFor(op(plan, 'smartProcess:lab/field:DIRECTIONS'), ids)).toEqual({
      method: 'userfieldconfig.add',
      params: {
        moduleId: 'crm',
        field: {
          entityId: 'CRM_9',
          fieldName: 'UF_CRM_9_DIRECTIONS',
          multiple: 'Y',
          userTypeId: 'enumeration',
          editFormLabel: { ru: 'Направления', en: 'Направления' },
          mandatory: 'N',
          enum: [{ value: 'ГТИ', sort: 10, def: 'N', xmlId: 'GTI' }],
        },
      },
    });
  });

  it('deal field update sends the list with ids, DEL for removed values', () => {
    const cfg = config(`dealFields:
  - { code: SERVICE, type: enumeration, label: Услуга, list: [{ key: GTI, value: ГТИ }, { key: AN, value: Аналитика }] }
`);
    const portal = provisioned(cfg);
    const plan = computePlan(
      config(
        `dealFields:\n  - { code: SERVICE, type: enumeration, label: Услуги, list: [{ key: GTI, value: ГТИ }] }\n`,
      ),
      portal,
    );
    const field = portal.dealFields[0]!;
    expect(callFor(op(plan, 'dealField:SERVICE'), placeholders(plan))).toEqual({
      method: 'crm.deal.userfield.update',
      params: {
        id: field.id,
        fields: {
          EDIT_FORM_LABEL: { ru: 'Услуги', en: 'Услуги' },
          LIST_COLUMN_LABEL: { ru: 'Услуги', en: 'Услуги' },
          LIST_FILTER_LABEL: { ru: 'Услуги', en: 'Услуги' },
          LIST: [
            { ID: field.list[0]!.id, VALUE: 'ГТИ', SORT: 10, DEF: 'N', XML_ID: 'GTI' },
            { ID: field.list[1]!.id, DEL: 'Y' },
          ],
        },
      },
    });
  });

  it('reads the id of what a create made from each answer shape', () => {
    const plan = computePlan(config(PIPELINE), emptyPortal());
    const ids = placeholders(plan);
    expect(createdRef(op(plan, 'pipeline:sales'), { category: { id: 5, entityTypeId: 2 } }, ids)).toEqual({
      id: 5,
      entityTypeId: 2,
    });
    expect(createdRef(op(plan, 'pipeline:sales/stage:QUALIFIED'), 312, ids)).toEqual({ id: 312 });
    expect(createdRef(op(plan, 'pipeline:sales'), { type: { id: 3, entityTypeId: 1034 } }, ids)).toEqual({
      id: 3,
      entityTypeId: 1034,
    });
    expect(createdRef(op(plan, 'pipeline:sales'), { field: { id: '44' } }, ids)).toEqual({ id: 44 });
  });
});

describe('selectOperations', () => {
  it('holds destructive operations back, with the create that re-makes the same entity', () => {
    const cfg = config(PIPELINE);
    const portal = provisioned(cfg);
    // QUALIFIED leaves the config; a second failure stage APOLOGY joins it.
    const edited = PIPELINE.replace('      - { code: QUALIFIED, name: Квалификация пройдена }\n', '').replace(
      'semantics: failure }',
      'semantics: failure }\n      - { code: APOLOGY, name: Анализ, semantics: failure }',
    );
    const plan = computePlan(config(edited), portal);
    const held = selectOperations(plan, false);
    expect(held.skipped.map((o) => `${o.action} ${o.address}`)).toEqual([
      'delete pipeline:sales/stage:QUALIFIED',
    ]);
    expect(held.run.map((o) => `${o.action} ${o.address}`)).toEqual(['create pipeline:sales/stage:APOLOGY']);
    expect(selectOperations(plan, true).run).toHaveLength(2);
  });
});

describe('explainFailure', () => {
  it('says why Bitrix24 refuses to delete a stage with deals, and what to do', () => {
    const plan = computePlan(
      config(PIPELINE.replace('      - { code: QUALIFIED, name: Квалификация пройдена }\n', '')),
      provisioned(config(PIPELINE)),
    );
    const failure = explainFailure(
      op(plan, 'pipeline:sales/stage:QUALIFIED'),
      new B24Error({
        method: 'crm.status.delete',
        code: '',
        description: 'There are active items in this status.',
        httpStatus: 400,
        retryable: false,
      }),
    );
    expect(failure.message).toBe(
      'Stage «Продажи › Квалификация пройдена» holds deals: Bitrix24 refuses to delete a stage that holds deals. Move them to another stage first, or keep the stage in the config.',
    );
  });
});

/** A REST client that answers batches from a handler and records them (the seam apply talks through). */
function fakeClient(
  answer: (call: BatchCall) => BatchOutcome,
): B24Client & { batches: BatchCall[][]; calls: string[] } {
  const batches: BatchCall[][] = [];
  const calls: string[] = [];
  let nextId = 100;
  const client = {
    portal: 'http://fake',
    batches,
    calls,
    async call(method: string, params: Record<string, unknown>) {
      calls.push(method);
      if (method === 'crm.status.list') {
        const entity = String((params.filter as Record<string, unknown>).ENTITY_ID);
        const category = entity.replace('DEAL_STAGE_', '');
        return [
          'NEW',
          'PREPARATION',
          'PREPAYMENT_INVOIC',
          'EXECUTING',
          'FINAL_INVOICE',
          'WON',
          'LOSE',
          'APOLOGY',
        ].map((code) => ({
          ID: String(nextId++),
          STATUS_ID: `C${category}:${code}`,
        }));
      }
      throw new Error(`unexpected ${method}`);
    },
    async batch(list: BatchCall[]) {
      batches.push(list);
      return list.map(answer);
    },
  };
  return client as unknown as B24Client & { batches: BatchCall[][]; calls: string[] };
}

describe('applyPlan', () => {
  it("waits for a new pipeline's id, looks up its default stages (cut codes too), then fills the batch", async () => {
    const plan = computePlan(config(PIPELINE), emptyPortal());
    const client = fakeClient((call) =>
      call.method === 'crm.category.add'
        ? { ok: true, result: { category: { id: 12, entityTypeId: 2 } } }
        : { ok: true, result: true },
    );
    const progress: number[] = [];
    const result = await applyPlan(client, plan, {
      allowDeletes: false,
      onProgress: (p) => progress.push(p.done),
    });
    expect(result.failed).toEqual([]);
    expect(result.notDone).toEqual([]);
    expect(client.batches.map((b) => b.map((c) => c.method))).toEqual([
      ['crm.category.add'],
      [
        'crm.status.delete',
        'crm.status.delete',
        'crm.status.delete',
        'crm.status.delete',
        'crm.status.delete',
        'crm.status.update',
        'crm.status.update',
        'crm.status.update',
        'crm.status.add',
      ],
    ]);
    expect(client.calls).toEqual(['crm.status.list']);
    // PREPAYMENT_INVOICE was cut to PREPAYMENT_INVOIC by the portal: still found and deleted.
    expect(client.batches[1]?.filter((c) => c.method === 'crm.status.delete')).toHaveLength(5);
    expect(client.batches[1]?.at(-1)?.params).toMatchObject({ fields: { ENTITY_ID: 'DEAL_STAGE_12' } });
    expect(progress).toEqual([1, 10]);
  });

  it('stops after the batch with a failure and reports done, failed and not done', async () => {
    const plan = computePlan(config(PIPELINE), emptyPortal());
    const client = fakeClient((call) =>
      call.method === 'crm.category.add'
        ? { ok: true, result: { category: { id: 12, entityTypeId: 2 } } }
        : call.method === 'crm.status.update'
          ? {
              ok: false,
              error: new B24Error({
                method: call.method,
                code: 'ACCESS_DENIED',
                description: 'Access denied.',
                httpStatus: 403,
                retryable: false,
              }),
            }
          : { ok: true, result: true },
    );
    const result = await applyPlan(client, plan, { allowDeletes: false });
    expect(result.done.map((o) => o.action)).toEqual([
      'create',
      'delete',
      'delete',
      'delete',
      'delete',
      'delete',
      'create',
    ]);
    expect(result.failed).toHaveLength(3);
    expect(result.failed[0]?.message).toBe('update «Продажи › Новая заявка»: Access denied.');
    expect(result.notDone).toEqual([]);
  });
});

describe('renderPlan', () => {
  it('prints a readable diff without colour off a terminal', () => {
    const cfg = config(PIPELINE);
    const portal = provisioned(cfg);
    portal.pipelines[1]!.stages[1]!.name = 'Квалификация (вручную)';
    const plan = computePlan(
      config(
        PIPELINE.replace(
          '      - { code: NEW, name: Новая заявка }\n',
          '      - { code: NEW, name: Новая заявка }\n      - { code: CALL, name: Звонок }\n',
        ),
      ),
      portal,
    );
    expect(renderPlan(plan, { color: false })).toBe(
      [
        'Deal pipelines',
        '    ~ Продажи › Квалификация пройдена',
        '        name: "Квалификация (вручную)" → "Квалификация пройдена"',
        '    + Продажи › Звонок',
        '',
        'Plan: 1 to create, 1 to update, 0 to delete, 4 unchanged.',
      ].join('\n'),
    );
  });
});
