import { describe, expect, it } from 'vitest';
import { automationConfigSchema, rulesSectionSchema } from '../../src/automation/rule-schema.js';
import { resolveRules } from '../../src/automation/catalog.js';
import { catalog } from './automation-fixtures.js';

describe('rules schema', () => {
  it('fills defaults and accepts every trigger and action kind', () => {
    const parsed = automationConfigSchema.parse({
      rules: [
        {
          id: 'sales-new',
          entity: { pipeline: 'sales' },
          trigger: { type: 'created' },
          actions: [{ type: 'notify', to: ['responsible'], message: 'Новая заявка {{link}}' }],
        },
        {
          id: 'lab-overdue',
          entity: { smartProcess: 'lab', directions: ['gti'] },
          trigger: { type: 'date_passed', field: 'closedate' },
          conditions: [{ field: 'opportunity', op: '>', value: 0 }],
          actions: [
            { type: 'task', title: 'Проверить', auditors: ['head'], deadline: { days: 2 } },
            { type: 'comment', text: 'Просрочен' },
            { type: 'set_fields', fields: { UF_CRM_5_FLAG: 'Y' } },
            { type: 'move_stage', stage: 'WORK' },
            { type: 'escalate', message: 'Просрочен {{title}}' },
          ],
        },
        {
          id: 'daily',
          entity: { pipeline: 'sales' },
          trigger: { type: 'schedule', every: 'day', at: '09:30' },
          actions: [{ type: 'notify', to: ['user:1', 'field:UF_CRM_AGENT', 'observers'], message: 'x' }],
        },
      ],
      jobs: { sync: { schedule: '*/5 * * * *' }, control: { schedule: '0 * * * *' } },
    });
    const [first, second] = parsed.rules;
    expect(first).toMatchObject({ enabled: true, conditions: [] });
    expect(second?.trigger).toEqual({
      type: 'date_passed',
      field: 'closedate',
      precision: 'day',
      graceDays: 0,
    });
    expect(second?.actions[0]).toMatchObject({
      responsible: 'responsible',
      description: '',
      auditors: ['head'],
    });
    expect(second?.actions[4]).toMatchObject({ levels: 1 });
    expect(parsed.jobs.sync).toEqual({ schedule: '*/5 * * * *', enabled: true });
  });

  it('reports every problem with its path', () => {
    const result = rulesSectionSchema.safeParse([
      {
        id: 'a',
        entity: { pipeline: 'sales' },
        trigger: { type: 'stayed_in_stage', stage: 'QUALIFIED' },
        actions: [{ type: 'notify', to: ['boss'], message: 'x' }],
      },
      { id: 'a', entity: { pipeline: 'sales' }, trigger: { type: 'created' }, actions: [] },
      {
        id: 'b',
        entity: { deals: 'sales' },
        trigger: { type: 'someday' },
        actions: [{ type: 'notify', to: ['head'], message: 'x' }],
      },
    ]);
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining([
        '0.trigger.days',
        '0.actions.0.to.0',
        '1.actions',
        '1.id',
        '2.entity',
        '2.trigger.type',
      ]),
    );
    const dup = result.error!.issues.find((i) => i.path.join('.') === '1.id');
    expect(dup?.message).toContain('duplicate rule id "a"');
  });

  it('rejects unknown keys, bad times and bad cron lines', () => {
    const result = automationConfigSchema.safeParse({
      rules: [
        {
          id: 'x',
          entity: { pipeline: 'sales' },
          trigger: { type: 'schedule', every: 'day', at: '25:00' },
          actions: [{ type: 'notify', to: ['responsible'], message: 'x', extra: 1 }],
        },
      ],
      jobs: { sync: { schedule: 'often' } },
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['rules.0.trigger.at', 'rules.0.actions.0', 'jobs.sync.schedule']),
    );
  });
});

describe('resolving rules against the portal catalog', () => {
  it('turns pipeline, direction and stage keys into portal ids', () => {
    const rules = rulesSectionSchema.parse([
      {
        id: 'q',
        entity: { pipeline: 'sales' },
        trigger: { type: 'stayed_in_stage', stage: 'QUALIFIED', days: [15, 30] },
        actions: [{ type: 'escalate', message: 'x' }],
      },
      {
        id: 'lab',
        entity: { smartProcess: 'lab' },
        trigger: { type: 'stage_entered', stage: 'WORK' },
        actions: [{ type: 'notify', to: ['observers'], message: 'x' }],
      },
      {
        id: 'gti-only',
        entity: { smartProcess: 'lab', directions: ['gti'] },
        trigger: { type: 'created' },
        actions: [{ type: 'move_stage', stage: 'WORK' }],
      },
      {
        id: 'off',
        enabled: false,
        entity: { pipeline: 'nowhere' },
        trigger: { type: 'created' },
        actions: [{ type: 'comment', text: 'x' }],
      },
    ]);
    const { rules: resolved, problems } = resolveRules(rules, catalog);
    expect(problems).toEqual([]);
    expect(resolved.map((r) => [r.rule.id, r.entityTypeId, r.categoryIds, r.triggerStageIds])).toEqual([
      ['q', 2, [3], ['C3:QUALIFIED']],
      ['lab', 1036, [7, 9], ['DT1036_7:WORK', 'DT1036_9:WORK']],
      ['gti-only', 1036, [7], []],
    ]);
  });

  it('reports unknown pipelines, directions and stages, and drops those rules', () => {
    const rules = rulesSectionSchema.parse([
      {
        id: 'a',
        entity: { pipeline: 'tenders' },
        trigger: { type: 'created' },
        actions: [{ type: 'comment', text: 'x' }],
      },
      {
        id: 'b',
        entity: { smartProcess: 'lab', directions: ['chemistry'] },
        trigger: { type: 'stage_entered', stage: 'DONE' },
        actions: [{ type: 'move_stage', stage: 'ARCHIVE' }],
      },
    ]);
    const { rules: resolved, problems } = resolveRules(rules, catalog);
    expect(resolved).toEqual([]);
    expect(problems).toEqual([
      { ruleId: 'a', path: ['entity', 'pipeline'], message: 'unknown pipeline "tenders"' },
      { ruleId: 'b', path: ['entity', 'directions', 0], message: 'unknown direction "chemistry" of "lab"' },
      { ruleId: 'b', path: ['trigger', 'stage'], message: 'no stage "DONE" in "lab"' },
      { ruleId: 'b', path: ['actions', 0, 'stage'], message: 'no stage "ARCHIVE" in "lab"' },
    ]);
  });
});
