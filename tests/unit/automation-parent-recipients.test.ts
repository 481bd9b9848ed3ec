import { describe, expect, it } from 'vitest';
import { resolveRules } from '../../src/automation/catalog.js';
import { checkParentRecipients } from '../../src/automation/check-parent-recipients.js';
import type { ChangeEvent } from '../../src/automation/detect-changes.js';
import { firingsForEvent, resolveRecipients } from '../../src/automation/evaluate-rules.js';
import { ruleUsesParent } from '../../src/automation/parent-record.js';
import { readParents } from '../../src/automation/read-parents.js';
import { recipientSchema, rulesSectionSchema } from '../../src/automation/rule-schema.js';
import { parseConfigFiles } from '../../src/config/load-config.js';
import type { B24Client } from '../../src/rest/client.js';
import { catalog, deal, labItem, OFFSET, org, T0 } from './automation-fixtures.js';

/** The parent deal: manager 9 (Менеджер Иванов), observers 7 and 31; the item's own people: 21, [9, 10]. */
const parentDeal = deal({ id: 33, assignedById: 9, observers: [7, 31] });
const item = labItem({ fields: { parentId2: 33 } });
const parents = new Map([['2:33', parentDeal]]);
const ctx = { now: T0, offsetMinutes: OFFSET, catalog, org };
const created: ChangeEvent = { kind: 'created', occurrence: 'created', at: T0 };

const parse = (raw: unknown[]) => rulesSectionSchema.parse(raw);
const notifyRule = (to: string[], entity: unknown = { smartProcess: 'lab' }) => ({
  id: 'tell',
  entity,
  trigger: { type: 'created' },
  actions: [{ type: 'notify', to, message: 'Проект {{link}}' }],
});

describe('parent:responsible and parent:observers', () => {
  it('are recipients; other parent: names are not', () => {
    expect(recipientSchema.safeParse('parent:responsible').success).toBe(true);
    expect(recipientSchema.safeParse('parent:observers').success).toBe(true);
    for (const bad of ['parent:head', 'parent:', 'parent:user:5', 'parent.responsible']) {
      expect(recipientSchema.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('resolve to the parent deal’s responsible and observers, in order, without repeats', () => {
    expect(
      resolveRecipients(
        ['parent:responsible', 'responsible', 'parent:observers', 'observers'],
        item,
        org,
        parentDeal,
      ),
    ).toEqual([9, 21, 7, 31, 10]);
  });

  it('resolve to no one without a parent (none linked, or not read)', () => {
    expect(resolveRecipients(['parent:responsible', 'parent:observers'], item, org)).toEqual([]);
    expect(resolveRecipients(['parent:responsible', 'responsible'], item, org, undefined)).toEqual([21]);
  });

  it('make a rule read the parents: in notify, task responsible and auditors', () => {
    const [notify, task, auditors, plain] = parse(
      [
        notifyRule(['parent:responsible']),
        { ...notifyRule([]), actions: [{ type: 'task', title: 'x', responsible: 'parent:responsible' }] },
        {
          ...notifyRule([]),
          actions: [{ type: 'task', title: 'x', auditors: ['parent:observers'] }],
        },
        notifyRule(['responsible', 'observers']),
      ].map((r, i) => ({ ...r, id: `r${i}` })),
    );
    expect([notify, task, auditors, plain].map((r) => ruleUsesParent(r!))).toEqual([true, true, true, false]);
  });

  it('the jobs read the parent deals for such a rule (one crm.item.list), none otherwise', async () => {
    const calls: number[][] = [];
    const client = {
      list: (_method: string, params: { filter: { '@id': number[] } }) => {
        calls.push(params.filter['@id']);
        return (async function* () {
          for (const id of params.filter['@id'])
            yield { id, title: `Сделка ${id}`, categoryId: 3, stageId: 'C3:NEW', assignedById: 9 };
        })();
      },
    } as unknown as B24Client;
    const withParent = resolveRules(parse([notifyRule(['parent:responsible'])]), catalog).rules;
    const read = await readParents(client, withParent, [item]);
    expect(calls).toEqual([[33]]);
    expect(read.get('2:33')?.assignedById).toBe(9);
    const without = resolveRules(parse([notifyRule(['responsible'])]), catalog).rules;
    expect((await readParents(client, without, [item])).size).toBe(0);
    expect(calls).toHaveLength(1);
  });

  it('a firing notifies the deal’s manager and observers; without the parent it is skipped', () => {
    const { rules, problems } = resolveRules(
      parse([
        {
          ...notifyRule(['parent:responsible', 'parent:observers']),
          actions: [
            { type: 'notify', to: ['parent:responsible', 'parent:observers'], message: 'Проект {{link}}' },
            {
              type: 'task',
              title: 'Проверить',
              responsible: 'parent:responsible',
              auditors: ['parent:observers'],
            },
          ],
        },
      ]),
      catalog,
    );
    expect(problems).toEqual([]);
    const [firing] = firingsForEvent(rules, item, created, { ...ctx, parents });
    expect(firing!.actions.map((a) => [a.kind, a.kind === 'notify' ? a.userId : undefined])).toEqual([
      ['notify', 9],
      ['notify', 7],
      ['notify', 31],
      ['task', undefined],
    ]);
    expect(firing!.actions[3]).toMatchObject({ task: { RESPONSIBLE_ID: 9, AUDITORS: [7, 31] } });
    const [alone] = firingsForEvent(rules, item, created, ctx);
    expect(alone!.actions.map((a) => [a.kind, a.summary])).toEqual([
      ['skip', 'skipped: no one to notify (parent:responsible, parent:observers)'],
      ['skip', 'skipped: no responsible for the task (parent:responsible)'],
    ]);
  });
});

describe('config check of parent: recipients', () => {
  it('refuses them on deal and list rules, with their paths', () => {
    const rules = parse([
      notifyRule(['responsible', 'parent:responsible'], { pipeline: 'sales' }),
      {
        ...notifyRule([], { list: 'contracts' }),
        id: 'list',
        actions: [
          { type: 'task', title: 'x', responsible: 'parent:responsible', auditors: ['parent:observers'] },
        ],
      },
      { ...notifyRule(['parent:responsible', 'parent:observers']), id: 'item' },
    ]);
    expect(checkParentRecipients(rules)).toEqual([
      {
        path: ['rules', 0, 'actions', 0, 'to', 1],
        message: "parent:responsible names the parent deal's people: only smart-process rules have one",
      },
      {
        path: ['rules', 1, 'actions', 0, 'responsible'],
        message: "parent:responsible names the parent deal's people: only smart-process rules have one",
      },
      {
        path: ['rules', 1, 'actions', 0, 'auditors', 0],
        message: "parent:observers names the parent deal's people: only smart-process rules have one",
      },
    ]);
  });

  it('is part of the automation section’s checks (file, path, line)', () => {
    const loaded = parseConfigFiles([
      {
        name: 'automation.yaml',
        text: `automation:
  rules:
    - id: a
      entity: { pipeline: sales }
      trigger: { type: created }
      actions: [{ type: notify, to: [parent:responsible], message: x }]
`,
      },
    ]);
    if (loaded.ok) throw new Error('expected issues');
    expect(loaded.issues.map((i) => [i.file, i.path, i.line, i.message])).toEqual([
      [
        'automation.yaml',
        'automation.rules[0].actions[0].to[0]',
        6,
        "parent:responsible names the parent deal's people: only smart-process rules have one",
      ],
    ]);
  });
});
