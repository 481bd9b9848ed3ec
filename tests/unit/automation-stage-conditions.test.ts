import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveRules } from '../../src/automation/catalog.js';
import type { ChangeEvent } from '../../src/automation/detect-changes.js';
import { firingsForEvent } from '../../src/automation/evaluate-rules.js';
import { matchesCondition } from '../../src/automation/match-conditions.js';
import type { Condition } from '../../src/automation/rule-schema.js';
import { conditionSchema, rulesSectionSchema } from '../../src/automation/rule-schema.js';
import { parseConfigFiles } from '../../src/config/load-config.js';
import { catalog, deal, labItem, OFFSET, org, T0 } from './automation-fixtures.js';

const stage = (op: Condition['op'], value: Condition['value']): Condition =>
  value === undefined ? { field: 'stage', op } : { field: 'stage', op, value };

describe('{ field: stage }: the stage by its configuration code', () => {
  const invoiceSent = deal({ stageId: 'C3:INVOICE_SENT' });
  const invoiceSentLate = deal({ stageId: 'C3:INVOICE_SENT_LATE' });
  const defaultPipeline = deal({ categoryId: 0, stageId: 'NEW' });
  const item = labItem({ stageId: 'DT1036_7:WORK' });

  it.each([
    ['C3:INVOICE_SENT = INVOICE_SENT', invoiceSent, stage('=', 'INVOICE_SENT'), true],
    ['a code that only contains it is another stage', invoiceSentLate, stage('=', 'INVOICE_SENT'), false],
    ['the prefix is not part of the code', invoiceSent, stage('=', 'C3:INVOICE_SENT'), false],
    ['the default pipeline has no prefix', defaultPipeline, stage('=', 'NEW'), true],
    ['a smart-process stage (DT1036_7:)', item, stage('=', 'WORK'), true],
    ['in', item, stage('in', ['NEW', 'WORK']), true],
    ['in, none of them', invoiceSentLate, stage('in', ['NEW', 'INVOICE_SENT']), false],
    ['not_in', invoiceSentLate, stage('not_in', ['INVOICE_SENT']), true],
    ['not_in, at one of them', item, stage('not_in', ['WORK']), false],
    ['!=', invoiceSent, stage('!=', 'INVOICE_SENT'), false],
    ['!= another stage', invoiceSent, stage('!=', 'NEW'), true],
  ] as const)('%s -> %s', (_name, entity, condition, expected) => {
    expect(matchesCondition(entity, condition)).toBe(expected);
  });

  it('the workaround it replaces matched the longer code too', () => {
    const contains: Condition = { field: 'stageId', op: 'contains', value: 'INVOICE_SENT' };
    expect(matchesCondition(invoiceSentLate, contains)).toBe(true);
    expect(matchesCondition(invoiceSentLate, stage('=', 'INVOICE_SENT'))).toBe(false);
  });

  it('parent.stage reads the parent deal’s stage code; without a parent it does not hold', () => {
    const parent = { entity: deal({ stageId: 'C3:WON' }) };
    expect(matchesCondition(item, { field: 'parent.stage', op: '=', value: 'WON' }, { parent })).toBe(true);
    expect(matchesCondition(item, { field: 'parent.stage', op: '=', value: 'WORK' }, { parent })).toBe(false);
    expect(matchesCondition(item, { field: 'parent.stage', op: '=', value: 'WON' }, {})).toBe(false);
  });

  it('the schema takes =, !=, in, not_in with stage codes; refuses other ops and non-codes', () => {
    const issues = (raw: unknown) => {
      const r = conditionSchema.safeParse(raw);
      return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
    };
    expect(conditionSchema.parse({ field: 'stage', value: 'NEW' })).toEqual({
      field: 'stage',
      op: '=',
      value: 'NEW',
    });
    expect(issues({ field: 'stage', op: 'in', value: ['NEW', 'WON'] })).toEqual([]);
    expect(issues({ field: 'stage', op: 'not_in', value: ['NEW'] })).toEqual([]);
    expect(issues({ field: 'parent.stage', op: '!=', value: 'WON' })).toEqual([]);
    expect(issues({ field: 'stage', op: 'contains', value: 'NEW' })).toEqual([
      ['op', 'compare a stage with =, !=, in or not_in'],
    ]);
    for (const value of [undefined, [], 5, ['NEW', 7], 'C3:NEW', true]) {
      expect(issues({ field: 'stage', value }), JSON.stringify(value)).toEqual([
        ['value', 'give a stage code or a list of them'],
      ]);
    }
    // Another field keeps every op.
    expect(issues({ field: 'stageId', op: 'contains', value: 'C3:' })).toEqual([]);
  });
});

describe('stage conditions in rules', () => {
  const resolve = (raw: unknown[]) => resolveRules(rulesSectionSchema.parse(raw), catalog);
  const rule = (conditions: unknown[], entity: unknown = { pipeline: 'sales' }, id = 'paid') => ({
    id,
    entity,
    trigger: { type: 'field_changed', field: 'opportunity' },
    conditions,
    actions: [{ type: 'comment', text: 'x' }],
  });
  const changed: ChangeEvent = {
    kind: 'field_changed',
    field: 'opportunity',
    from: 1000,
    to: 2000,
    occurrence: 'field:opportunity@1',
    at: T0,
  };
  const ctx = { now: T0, offsetMinutes: OFFSET, catalog, org };

  it('fire only at that stage', () => {
    const { rules, problems } = resolve([rule([{ field: 'stage', value: 'INVOICE_SENT' }])]);
    expect(problems).toEqual([]);
    expect(firingsForEvent(rules, deal({ stageId: 'C3:INVOICE_SENT' }), changed, ctx)).toHaveLength(1);
    expect(firingsForEvent(rules, deal({ stageId: 'C3:NEGOTIATION' }), changed, ctx)).toEqual([]);
  });

  it('a code that is no stage of the watched categories is a problem, with its path', () => {
    const { rules, problems } = resolve([
      rule([{ field: 'stage', op: 'in', value: ['NEW', 'PAID'] }]),
      rule([{ field: 'stage', value: 'INVOICE_SENT' }], { smartProcess: 'lab', directions: ['gti'] }, 'lab'),
      rule([{ field: 'stage', value: 'WORK' }], { smartProcess: 'lab', directions: ['gti'] }, 'work'),
    ]);
    expect(problems).toEqual([
      { ruleId: 'paid', path: ['conditions', 0, 'value'], message: 'no stage "PAID" in "sales"' },
      { ruleId: 'lab', path: ['conditions', 0, 'value'], message: 'no stage "INVOICE_SENT" in "lab"' },
    ]);
    expect(rules.map((r) => r.rule.id)).toEqual(['work']);
  });
});

describe('config check of stage conditions', () => {
  const files = (rules: string) => [
    { name: 'pipelines.yaml', text: readFileSync('config/pipelines.yaml', 'utf8') },
    { name: 'smart-processes.yaml', text: readFileSync('config/smart-processes.yaml', 'utf8') },
    { name: 'automation.yaml', text: `automation:\n  rules:\n${rules}` },
  ];

  it('reports a code that is not a stage of the rule’s pipeline or directions, with its path and line', () => {
    const loaded = parseConfigFiles(
      files(`    - id: a
      entity: { pipeline: sales }
      trigger: { type: created }
      conditions:
        - { field: stage, op: in, value: [NEW, DISTRIBUTION] }
        - { field: stage, value: INVOICE_SENT }
      actions: [{ type: comment, text: x }]
    - id: b
      entity: { smartProcess: laboratory, directions: [gti] }
      trigger: { type: created }
      conditions:
        - { field: stage, value: DISTRIBUTION }
        - { field: parent.stage, op: not_in, value: [WON, NOPE] }
      actions: [{ type: comment, text: x }]
    - id: c
      entity: { smartProcess: laboratory, directions: [new-request] }
      trigger: { type: created }
      conditions: [{ field: stage, value: DISTRIBUTION }, { field: parent.stage, value: INVOICE_SENT }]
      actions: [{ type: comment, text: x }]
`),
    );
    if (loaded.ok) throw new Error('expected issues');
    expect(loaded.issues.map((i) => [i.file, i.path, i.line, i.message])).toEqual([
      [
        'automation.yaml',
        'automation.rules[0].conditions[0].value[1]',
        7,
        'No stage "DISTRIBUTION" in pipeline "sales"',
      ],
      [
        'automation.yaml',
        'automation.rules[1].conditions[0].value',
        14,
        'No stage "DISTRIBUTION" in smart process "laboratory"',
      ],
      [
        'automation.yaml',
        'automation.rules[1].conditions[1].value[1]',
        15,
        'No stage "NOPE" in any pipeline',
      ],
    ]);
  });
});
