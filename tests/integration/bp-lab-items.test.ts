import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markerOf } from '../../src/automation/intended-action.js';
import { rulesSectionSchema } from '../../src/automation/rule-schema.js';
import type { LabConfig } from '../../src/config/config-sections.js';
import { runJob } from '../../src/jobs/run-job.js';
import type { LabPortal, TestEnvironment } from './automation-portal.js';
import { jobEnvironment, labPortal, removeDir } from './automation-portal.js';

/**
 * The smart-process item features of the engine on the «Лаборатория» flow, run by the sync job
 * against the local portal: list fields by XML_ID and label, create_item linked to the deal,
 * move_stage into another direction, copy_item, children_finished on the deal, {{parent.*}}.
 */
const RULES = rulesSectionSchema.parse([
  {
    id: 'paid-gti',
    entity: { pipeline: 'sales' },
    trigger: { type: 'stage_entered', stage: 'INVOICE_PAID' },
    conditions: [{ field: 'SERVICE', value: 'GTI' }],
    actions: [{ type: 'move_stage', stage: 'PROD_GTI' }],
  },
  {
    // By label, any case.
    id: 'paid-complex',
    entity: { pipeline: 'sales' },
    trigger: { type: 'stage_entered', stage: 'INVOICE_PAID' },
    conditions: [{ field: 'SERVICE', op: 'in', value: ['комплексное исследование (гти и аналитика)'] }],
    actions: [{ type: 'move_stage', stage: 'PROD_COMPLEX' }],
  },
  {
    id: 'complex-to-lab',
    entity: { pipeline: 'sales' },
    trigger: { type: 'stage_entered', stage: 'PROD_COMPLEX' },
    actions: [
      {
        type: 'create_item',
        smartProcess: 'laboratory',
        direction: 'new-request',
        stage: 'DISTRIBUTION',
        title: 'Проект: {{title}}',
        responsible: 'head_of:Лаборатория',
        fields: { DIRECTIONS: ['GTI', 'Аналитическая группа'] },
        copy: ['observers', 'closedate'],
      },
    ],
  },
  {
    id: 'lab-both-directions',
    entity: { smartProcess: 'laboratory', directions: ['new-request'] },
    trigger: { type: 'stage_entered', stage: 'SUCCESS' },
    conditions: [
      { field: 'DIRECTIONS', op: 'contains', value: 'GTI' },
      { field: 'DIRECTIONS', op: 'contains', value: 'ANALYTICS' },
    ],
    actions: [
      { type: 'copy_item', direction: 'analytics' },
      { type: 'move_stage', direction: 'gti' },
    ],
  },
  {
    id: 'lab-gti-only',
    entity: { smartProcess: 'laboratory', directions: ['new-request'] },
    trigger: { type: 'stage_entered', stage: 'SUCCESS' },
    conditions: [
      { field: 'DIRECTIONS', op: 'contains', value: 'GTI' },
      { field: 'DIRECTIONS', op: 'not_in', value: ['ANALYTICS'] },
    ],
    actions: [{ type: 'move_stage', direction: 'gti', stage: 'IN_WORK' }],
  },
  {
    id: 'lab-project-started',
    entity: { smartProcess: 'laboratory', directions: ['gti', 'analytics'] },
    trigger: { type: 'created' },
    conditions: [{ field: 'parent.SERVICE', value: 'COMPLEX' }],
    actions: [
      {
        type: 'comment',
        text: 'Сделка {{parent.link}} «{{parent.title}}»: {{parent.SERVICE}}, {{parent.opportunity}} руб.',
      },
    ],
  },
  {
    id: 'lab-moved',
    entity: { smartProcess: 'laboratory', directions: ['gti', 'analytics'] },
    trigger: { type: 'stage_entered', stage: 'NEW' },
    conditions: [{ field: 'parent.opportunity', op: '>=', value: 1000 }],
    actions: [{ type: 'comment', text: 'В работе по сделке {{parent.title}} ({{pipeline}})' }],
  },
  {
    id: 'lab-waiting',
    entity: { smartProcess: 'laboratory', directions: ['gti'] },
    trigger: { type: 'stayed_in_stage', stage: 'NEW', days: 2 },
    conditions: [{ field: 'parent.opportunity', op: '>=', value: 1000 }],
    actions: [{ type: 'comment', text: 'Проект по сделке {{parent.title}} ждет {{daysInStage}} дн.' }],
  },
  {
    id: 'lab-finished',
    entity: { pipeline: 'sales' },
    trigger: { type: 'children_finished', smartProcess: 'laboratory' },
    actions: [
      { type: 'comment', text: 'Все проекты лаборатории по сделке {{title}} завершены ({{children}})' },
    ],
  },
  {
    // Only the work directions count: an item at «Передано в работу» (new-request) is not a project.
    id: 'lab-work-finished',
    entity: { pipeline: 'sales' },
    trigger: { type: 'children_finished', smartProcess: 'laboratory', directions: ['gti', 'analytics'] },
    conditions: [{ field: 'SERVICE', value: 'ANALYTICS' }],
    actions: [{ type: 'comment', text: 'Работы лаборатории по сделке {{title}} завершены ({{children}})' }],
  },
]);

interface Item {
  id: number;
  title: string;
  categoryId: number;
  stageId: string;
  assignedById: number;
  observers: number[];
  xmlId: string | null;
  parentId2: number | null;
  closedate: string | null;
  [field: string]: unknown;
}

describe('smart-process items: list fields, create_item, copy_item, directions, children_finished, parent', () => {
  let lab: LabPortal;
  let env: TestEnvironment;
  let config: LabConfig;
  let dirField: string;
  const ids: { service: Record<string, number>; directions: Record<string, number> } = {
    service: {},
    directions: {},
  };

  const items = async (dealId: number): Promise<Item[]> => {
    const answer = (await lab.call('crm.item.list', {
      entityTypeId: lab.ids.lab.entityTypeId,
      filter: { parentId2: dealId },
      order: { id: 'ASC' },
      useOriginalUfNames: 'Y',
    })) as { items: Item[] };
    return answer.items;
  };
  const deal = async (id: number): Promise<Record<string, unknown>> =>
    (
      (await lab.call('crm.item.get', { entityTypeId: 2, id, useOriginalUfNames: 'Y' })) as {
        item: Record<string, unknown>;
      }
    ).item;
  const comments = async (entityType: string, id: number): Promise<string[]> =>
    (
      (await lab.call('crm.timeline.comment.list', {
        filter: { ENTITY_ID: id, ENTITY_TYPE: entityType },
      })) as {
        COMMENT: string;
      }[]
    ).map((c) => c.COMMENT);
  const moveItem = async (id: number, stageId: string): Promise<void> => {
    await lab.call('crm.item.update', { entityTypeId: lab.ids.lab.entityTypeId, id, fields: { stageId } });
  };
  const sync = async (): Promise<Awaited<ReturnType<typeof runJob>>> => {
    const run = await runJob('sync', env);
    await lab.advance(0.01);
    return run;
  };
  const newDeal = async (
    title: string,
    service: string,
    stage: string,
    extra: Record<string, unknown> = {},
  ) => {
    const { item } = (await lab.call('crm.item.add', {
      entityTypeId: 2,
      useOriginalUfNames: 'Y',
      fields: {
        title,
        categoryId: lab.ids.pipelines.sales!.id,
        stageId: lab.ids.pipelines.sales!.stage(stage),
        assignedById: lab.ids.users.manager,
        opportunity: 1500,
        UF_CRM_SERVICE: ids.service[service],
        ...extra,
      },
    })) as { item: { id: number } };
    return item.id;
  };

  beforeAll(async () => {
    lab = await labPortal();
    // Items carry their deal (parentId2), as config/smart-processes.yaml declares (relations.parents).
    await lab.call('crm.type.update', {
      id: lab.ids.lab.typeId,
      fields: { relations: { parent: [{ entityTypeId: 2, isChildrenListEnabled: 'true' }] } },
    });
    // The list fields as provisioning makes them from config/ (XML_ID = the config key).
    const service = lab.config.dealFields!.find((f) => f.code === 'SERVICE')!;
    await lab.call('crm.deal.userfield.add', {
      fields: {
        FIELD_NAME: 'SERVICE',
        USER_TYPE_ID: 'enumeration',
        LABEL: service.label,
        LIST: service.list!.map((i, n) => ({ VALUE: i.value, XML_ID: i.key, SORT: (n + 1) * 10 })),
      },
    });
    const fields = (await lab.call('crm.deal.userfield.list', {
      filter: { FIELD_NAME: 'UF_CRM_SERVICE' },
    })) as {
      LIST: { ID: string; XML_ID: string }[];
    }[];
    for (const i of fields[0]!.LIST) ids.service[i.XML_ID] = Number(i.ID);
    const directions = lab.config.smartProcesses![0]!.fields!.find((f) => f.code === 'DIRECTIONS')!;
    dirField = `UF_CRM_${lab.ids.lab.typeId}_DIRECTIONS`;
    const { field } = (await lab.call('userfieldconfig.add', {
      moduleId: 'crm',
      field: {
        entityId: `CRM_${lab.ids.lab.typeId}`,
        fieldName: dirField,
        userTypeId: 'enumeration',
        multiple: 'Y',
        enum: directions.list!.map((i, n) => ({ value: i.value, xmlId: i.key, sort: (n + 1) * 10 })),
      },
    })) as { field: { enum: { id: string; xmlId: string }[] } };
    for (const i of field.enum) ids.directions[i.xmlId] = Number(i.id);

    config = { ...lab.config, automation: { ...lab.config.automation!, rules: RULES } };
    env = { ...jobEnvironment(lab), config };
    await sync();
  });
  afterAll(async () => {
    env?.close();
    if (env) removeDir(env.dir);
    await lab?.close();
  });

  it('a list field compares by XML_ID or label; create_item makes one linked item, list values as ids', async () => {
    const { manager, labHead, observerA } = lab.ids.users;
    const sales = lab.ids.pipelines.sales!;
    const gtiDeal = await newDeal('Только ГТИ', 'GTI', 'INVOICE_SENT');
    const id = await newDeal('Комплексный проект', 'COMPLEX', 'INVOICE_SENT', {
      observers: [observerA],
      closedate: '2026-12-20',
    });
    await sync();
    await lab.call('crm.deal.update', { id, fields: { STAGE_ID: sales.stage('INVOICE_PAID') } });
    await lab.call('crm.deal.update', { id: gtiDeal, fields: { STAGE_ID: sales.stage('INVOICE_PAID') } });
    const paid = await sync();
    expect(paid.actions.map((a) => [a.ruleId, a.entity, a.outcome])).toEqual(
      expect.arrayContaining([
        ['paid-complex', `2:${id}`, 'done'],
        ['paid-gti', `2:${gtiDeal}`, 'done'],
      ]),
    );
    expect(paid.actions).toHaveLength(2);
    expect((await deal(id)).stageId).toBe(sales.stage('PROD_COMPLEX'));
    expect((await deal(gtiDeal)).stageId).toBe(sales.stage('PROD_GTI'));

    const dry = await runJob('sync', env, { dryRun: true });
    expect(dry.actions).toEqual([
      expect.objectContaining({ ruleId: 'complex-to-lab', kind: 'create_item', outcome: 'would-do' }),
    ]);
    expect(await items(id)).toEqual([]);

    const created = await sync();
    expect(created.actions).toEqual([
      expect.objectContaining({
        ruleId: 'complex-to-lab',
        outcome: 'done',
        summary: expect.stringContaining(
          'create «Проект: Комплексный проект» in Лаборатория: Новая заявка / Распределение',
        ),
      }),
    ]);
    const [item, ...more] = await items(id);
    expect(more).toEqual([]);
    const newRequest = lab.ids.lab.direction('new-request');
    expect(item).toMatchObject({
      title: 'Проект: Комплексный проект',
      categoryId: newRequest.id,
      stageId: newRequest.stage('DISTRIBUTION'),
      assignedById: labHead,
      observers: [observerA],
      parentId2: id,
      xmlId: markerOf(created.actions[0]!.key),
      [dirField]: [ids.directions.GTI, ids.directions.ANALYTICS],
    });
    expect(String(item!.closedate)).toMatch(/^2026-12-20/);
    expect(manager).toBeGreaterThan(0);

    const again = await sync();
    expect(again.actions).toEqual([]);
    expect(await items(id)).toHaveLength(1);
  });

  it('copy_item into a second direction and move_stage into another direction; parent placeholders', async () => {
    const id = await newDeal('Два направления', 'COMPLEX', 'INVOICE_SENT', {
      observers: [lab.ids.users.observerB],
    });
    await sync();
    await lab.call('crm.deal.update', {
      id,
      fields: { STAGE_ID: lab.ids.pipelines.sales!.stage('INVOICE_PAID') },
    });
    await sync(); // -> PROD_COMPLEX
    await sync(); // -> item created
    const [original] = await items(id);
    const newRequest = lab.ids.lab.direction('new-request');
    await lab.call('crm.item.update', {
      entityTypeId: lab.ids.lab.entityTypeId,
      id: original!.id,
      fields: { assignedById: lab.ids.users.assistant },
    });
    await moveItem(original!.id, newRequest.stage('SUCCESS'));
    const run = await sync();
    expect(run.actions.map((a) => [a.ruleId, a.kind, a.outcome])).toEqual([
      ['lab-both-directions', 'copy_item', 'done'],
      ['lab-both-directions', 'update', 'done'],
    ]);
    const gti = lab.ids.lab.direction('gti');
    const analytics = lab.ids.lab.direction('analytics');
    const both = await items(id);
    expect(both).toHaveLength(2);
    const [moved, copy] = both;
    expect(moved).toMatchObject({ id: original!.id, categoryId: gti.id, stageId: gti.stage('NEW') });
    expect(copy).toMatchObject({
      title: original!.title,
      categoryId: analytics.id,
      stageId: analytics.stage('NEW'),
      assignedById: lab.ids.users.assistant,
      observers: [lab.ids.users.observerB],
      parentId2: id,
      [dirField]: [ids.directions.GTI, ids.directions.ANALYTICS],
    });
    expect(copy!.xmlId).toBe(markerOf(run.actions[0]!.key));

    // The next sync sees the copy created and the original entered «Новый проект» of ГТИ.
    const next = await sync();
    expect(next.actions.map((a) => [a.ruleId, a.entity, a.outcome]).sort()).toEqual(
      [
        ['lab-moved', `${lab.ids.lab.entityTypeId}:${moved!.id}`, 'done'],
        ['lab-moved', `${lab.ids.lab.entityTypeId}:${copy!.id}`, 'done'],
        ['lab-project-started', `${lab.ids.lab.entityTypeId}:${copy!.id}`, 'done'],
      ].sort(),
    );
    const type = `dynamic_${lab.ids.lab.entityTypeId}`;
    const onCopy = await comments(type, copy!.id);
    expect(onCopy).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          `Сделка [URL=/crm/deal/details/${id}/]Два направления[/URL] «Два направления»: Комплексное исследование (ГТИ и аналитика), 1500 руб.`,
        ),
        expect.stringContaining('В работе по сделке Два направления (Аналитическая группа)'),
      ]),
    );
    expect(await comments(type, moved!.id)).toEqual([
      expect.stringContaining('В работе по сделке Два направления (ГТИ)'),
    ]);
    expect((await sync()).actions).toEqual([]);
    expect(await items(id)).toHaveLength(2);
  });

  it('children_finished fires once when the last item finishes, not before', async () => {
    const id = await newDeal('Завершение', 'COMPLEX', 'INVOICE_SENT');
    await sync();
    await lab.call('crm.deal.update', {
      id,
      fields: { STAGE_ID: lab.ids.pipelines.sales!.stage('INVOICE_PAID') },
    });
    await sync();
    await sync();
    const [original] = await items(id);
    await moveItem(original!.id, lab.ids.lab.direction('new-request').stage('SUCCESS'));
    await sync();
    const [a, b] = await items(id);
    await sync();
    expect(await comments('deal', id)).toEqual([]);

    await moveItem(a!.id, lab.ids.lab.direction('gti').stage('SUCCESS'));
    const first = await sync();
    expect(first.actions.filter((r) => r.ruleId === 'lab-finished')).toEqual([]);
    expect(await comments('deal', id)).toEqual([]);

    await moveItem(b!.id, lab.ids.lab.direction('analytics').stage('FAIL'));
    const second = await sync();
    expect(second.actions).toEqual([
      expect.objectContaining({
        ruleId: 'lab-finished',
        entity: `2:${id}`,
        occurrence: `children:laboratory:${[a!.id, b!.id].sort((x, y) => x - y).join(',')}`,
        outcome: 'done',
      }),
    ]);
    expect(await comments('deal', id)).toEqual([
      expect.stringContaining('Все проекты лаборатории по сделке Завершение завершены (2)'),
    ]);
    expect((await sync()).actions).toEqual([]);
  });

  it('children_finished fires once when both items finish in the same sync; never when all failed', async () => {
    const id = await newDeal('Одновременно', 'COMPLEX', 'INVOICE_SENT');
    const failed = await newDeal('Все отменены', 'COMPLEX', 'INVOICE_SENT');
    await sync();
    for (const d of [id, failed]) {
      await lab.call('crm.deal.update', {
        id: d,
        fields: { STAGE_ID: lab.ids.pipelines.sales!.stage('INVOICE_PAID') },
      });
    }
    await sync();
    await sync();
    for (const d of [id, failed]) {
      const [original] = await items(d);
      await moveItem(original!.id, lab.ids.lab.direction('new-request').stage('SUCCESS'));
    }
    await sync();
    await sync();
    const [a, b] = await items(id);
    await moveItem(a!.id, lab.ids.lab.direction('gti').stage('SUCCESS'));
    await moveItem(b!.id, lab.ids.lab.direction('analytics').stage('SUCCESS'));
    for (const item of await items(failed)) {
      const direction = item.categoryId === lab.ids.lab.direction('gti').id ? 'gti' : 'analytics';
      await moveItem(item.id, lab.ids.lab.direction(direction).stage('FAIL'));
    }
    const run = await sync();
    expect(run.actions).toEqual([
      expect.objectContaining({ ruleId: 'lab-finished', entity: `2:${id}`, outcome: 'done' }),
    ]);
    expect(run.counts.already).toBe(1);
    expect(await comments('deal', id)).toHaveLength(1);
    expect(await comments('deal', failed)).toEqual([]);
    expect((await sync()).actions).toEqual([]);
  });

  it('children_finished with directions: an item finished at new-request success is not the work; fires once when the gti item finishes', async () => {
    const id = await newDeal('Работы по направлениям', 'ANALYTICS', 'INVOICE_SENT');
    const newRequest = lab.ids.lab.direction('new-request');
    const gti = lab.ids.lab.direction('gti');
    const add = async (title: string, categoryId: number, stageId: string): Promise<number> => {
      const { item } = (await lab.call('crm.item.add', {
        entityTypeId: lab.ids.lab.entityTypeId,
        fields: { title, categoryId, stageId, parentId2: id },
      })) as { item: { id: number } };
      return item.id;
    };
    const request = await add('Заявка', newRequest.id, newRequest.stage('DISTRIBUTION'));
    const work = await add('Проект ГТИ', gti.id, gti.stage('NEW'));
    await sync();
    const finishing = (run: Awaited<ReturnType<typeof sync>>) =>
      run.actions.filter((a) => a.ruleId === 'lab-work-finished' || a.ruleId === 'lab-finished');

    await moveItem(request, newRequest.stage('SUCCESS'));
    expect(finishing(await sync())).toEqual([]);
    expect(await comments('deal', id)).toEqual([]);

    await moveItem(work, gti.stage('SUCCESS'));
    const run = await sync();
    expect(run.actions.filter((a) => a.ruleId === 'lab-work-finished')).toEqual([
      expect.objectContaining({
        entity: `2:${id}`,
        occurrence: `children:laboratory:${work}`,
        outcome: 'done',
      }),
    ]);
    // The rule without directions counts the request too (2 items).
    expect(run.actions.filter((a) => a.ruleId === 'lab-finished')).toEqual([
      expect.objectContaining({
        occurrence: `children:laboratory:${[request, work].sort((x, y) => x - y).join(',')}`,
      }),
    ]);
    expect((await comments('deal', id)).sort()).toEqual([
      expect.stringContaining('Все проекты лаборатории по сделке Работы по направлениям завершены (2)'),
      expect.stringContaining('Работы лаборатории по сделке Работы по направлениям завершены (1)'),
    ]);
    expect(finishing(await sync())).toEqual([]);
  });

  it('a run killed after crm.item.add: the next run finds the item by its marker, makes no second', async () => {
    const id = await newDeal('Прерванный запуск', 'COMPLEX', 'INVOICE_SENT');
    await sync();
    await lab.call('crm.deal.update', {
      id,
      fields: { STAGE_ID: lab.ids.pipelines.sales!.stage('INVOICE_PAID') },
    });
    await sync();
    const dying = jobEnvironment(lab, {
      dir: env.dir,
      afterCall: (action) => {
        if (action.kind === 'create_item') throw new Error('killed');
      },
    });
    await expect(runJob('sync', { ...dying, config })).rejects.toThrow('killed');
    dying.close();
    expect(await items(id)).toHaveLength(1);
    const next = await sync();
    expect(next.actions).toEqual([
      expect.objectContaining({
        ruleId: 'complex-to-lab',
        outcome: 'found',
        result: { itemId: (await items(id))[0]!.id },
      }),
    ]);
    expect(await items(id)).toHaveLength(1);
    expect((await sync()).actions).toEqual([]);
  });

  it('a run killed after the copy was added: the next run finds the copy by its marker, moves the original', async () => {
    const id = await newDeal('Прерванное копирование', 'COMPLEX', 'INVOICE_SENT');
    await sync();
    await lab.call('crm.deal.update', {
      id,
      fields: { STAGE_ID: lab.ids.pipelines.sales!.stage('INVOICE_PAID') },
    });
    await sync();
    await sync();
    const [original] = await items(id);
    await moveItem(original!.id, lab.ids.lab.direction('new-request').stage('SUCCESS'));
    const dying = jobEnvironment(lab, {
      dir: env.dir,
      afterCall: (action) => {
        if (action.kind === 'copy_item') throw new Error('killed');
      },
    });
    await expect(runJob('sync', { ...dying, config })).rejects.toThrow('killed');
    dying.close();
    expect(await items(id)).toHaveLength(2);
    const next = await sync();
    const [, copy] = await items(id);
    const own = next.actions.filter((a) => a.ruleId === 'lab-both-directions');
    expect(own.map((a) => [a.ruleId, a.kind, a.outcome, a.result])).toEqual([
      ['lab-both-directions', 'copy_item', 'found', { itemId: copy!.id }],
      ['lab-both-directions', 'update', 'done', { itemId: original!.id }],
    ]);
    expect((await items(id)).map((i) => i.categoryId)).toEqual([
      lab.ids.lab.direction('gti').id,
      lab.ids.lab.direction('analytics').id,
    ]);
  });

  it('the control job: a time rule of items reads the parent deal too, once', async () => {
    await lab.advance(2.5);
    const run = await runJob('control', env);
    const waiting = run.actions.filter((a) => a.ruleId === 'lab-waiting');
    // The two originals moved to «ГТИ» / «Новый проект» (the copies are in the analytics direction).
    expect(waiting.map((a) => a.outcome)).toEqual(['done', 'done']);
    const texts: string[] = [];
    for (const a of waiting) {
      texts.push(...(await comments(`dynamic_${lab.ids.lab.entityTypeId}`, Number(a.entity.split(':')[1]))));
    }
    expect(texts).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Проект по сделке Два направления ждет 2 дн.'),
        expect.stringContaining('Проект по сделке Прерванное копирование ждет 2 дн.'),
      ]),
    );
    expect((await runJob('control', env)).actions).toEqual([]);
  });

  it('a webhook without the userfieldconfig scope: list items from crm.item.fields, keys from config', async () => {
    const hook = (await lab.call('b24lab.webhook.add', {
      scopes: ['crm', 'user', 'department', 'task', 'im'],
    })) as {
      URL: string;
    };
    const limited = { ...jobEnvironment({ ...lab, base: hook.URL }), config };
    try {
      await runJob('sync', limited);
      await lab.advance(0.01);
      const newRequest = lab.ids.lab.direction('new-request');
      const { item } = (await lab.call('crm.item.add', {
        entityTypeId: lab.ids.lab.entityTypeId,
        useOriginalUfNames: 'Y',
        fields: { title: 'Только ГТИ', categoryId: newRequest.id, [dirField]: [ids.directions.GTI] },
      })) as { item: { id: number } };
      await runJob('sync', limited);
      await lab.advance(0.01);
      await moveItem(item.id, newRequest.stage('SUCCESS'));
      const run = await runJob('sync', limited);
      expect(run.actions.map((a) => [a.ruleId, a.outcome])).toEqual([['lab-gti-only', 'done']]);
      const { item: moved } = (await lab.call('crm.item.get', {
        entityTypeId: lab.ids.lab.entityTypeId,
        id: item.id,
      })) as { item: Item };
      expect(moved.stageId).toBe(lab.ids.lab.direction('gti').stage('IN_WORK'));
    } finally {
      limited.close();
      removeDir(limited.dir);
    }
  });
});
