import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfigFiles } from '../../src/config/load-config.js';

describe('the shipped automation config', () => {
  it('loads with the rest of config/ and names only pipelines, stages and directions that exist', () => {
    const loaded = loadConfig('config');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues, null, 2));
    const automation = loaded.config.automation!;
    expect(automation.rules.map((r) => r.id)).toEqual([
      'sales-new-request-notify',
      'sales-new-request-forgotten',
      'sales-qualified-call-task',
      'sales-qualified-control',
      'sales-invoice-payment-task',
      'procurement-fulfilled-payment-task',
      'lab-project-overdue',
      'remaining-amount-on-create',
      'remaining-amount-on-amount',
      'remaining-amount-on-payment',
      'remaining-amount-results-sent',
      'sales-responsible-to-client',
      'procurement-responsible-to-client',
      'sales-invoice-paid',
      'sales-invoice-paid-in-advance',
      'sales-invoice-paid-close-task',
      'sales-paid-to-production-gti',
      'sales-paid-to-production-analytics',
      'sales-paid-to-production-complex',
      'sales-paid-no-service',
      'sales-production-gti',
      'sales-production-analytics',
      'sales-production-complex',
      'procurement-production-gti',
      'procurement-production-analytics',
      'procurement-production-complex',
      'procurement-production-no-service',
      'subcontracts-production-gti',
      'subcontracts-production-analytics',
      'subcontracts-production-complex',
      'subcontracts-production-no-service',
      'sales-project-dates-start',
      'sales-project-dates-end',
      'procurement-project-dates-start',
      'procurement-project-dates-end',
      'subcontracts-project-dates-start',
      'subcontracts-project-dates-end',
      'sales-project-deadline',
      'procurement-project-deadline',
      'subcontracts-project-deadline',
      'procurement-contract-assign-task',
      'procurement-responsible-assigned',
      'procurement-assign-task-done',
      'procurement-remaining-amount-on-create',
      'procurement-remaining-amount-on-amount',
      'procurement-remaining-amount-on-payment',
      'procurement-paid-won',
      'procurement-fulfilled-paid-won',
      'lab-distribute-task',
      'lab-distributed',
      'lab-distribute-task-done',
      'lab-preparation-task',
      'lab-prepared',
      'lab-check-task',
      'lab-insufficient-data',
      'lab-checked',
      'lab-to-gti',
      'lab-to-analytics',
      'lab-to-both-directions',
      'lab-no-directions',
      'lab-gti-new-project',
      'lab-analytics-new-project',
      'sales-lab-finished-results-task',
      'sales-results-sent',
      'sales-feedback-received',
      'sales-feedback-won',
      'subcontracts-lab-finished-results-task',
      'subcontracts-results-sent',
      'procurement-lab-finished-results-task',
      'procurement-results-sent',
      'sales-agent-on-create',
      'sales-agent-on-responsible',
      'sales-audit-task',
      'procurement-audit-task',
      'subcontracts-audit-task',
      'contract-approval-request',
      'contract-approved',
      'contract-rejected',
    ]);
    expect(automation.jobs).toEqual({
      sync: { schedule: '*/5 * * * *', overlapMinutes: 10, enabled: true },
      control: { schedule: '7 * * * *', enabled: true },
      backup: {
        schedule: '30 2 * * *',
        enabled: true,
        dir: 'backups',
        kind: 'incremental',
        retention: { daily: 7, weekly: 4, monthly: 6 },
      },
      reports: {
        schedule: '0 7 * * 1',
        enabled: true,
        dir: 'reports',
        reports: ['managers', 'receivables', 'funnel', 'projects'],
        formats: ['csv', 'html'],
        excel: true,
      },
    });
    expect(loaded.sources.automation).toBe('automation.yaml');
  });
});

describe('automation section checks', () => {
  const pipelines = `pipelines:
  - key: sales
    name: Продажи
    stages:
      - { code: NEW, name: Новая }
      - { code: WON, name: Успех, semantics: success }
      - { code: LOSE, name: Провал, semantics: failure }
`;
  it('reports unknown pipelines, stages, directions and jobs with their paths and lines', () => {
    const loaded = parseConfigFiles([
      { name: 'pipelines.yaml', text: pipelines },
      {
        name: 'automation.yaml',
        text: `automation:
  jobs:
    nightly: { schedule: '0 3 * * *' }
    sync: { schedule: 'often' }
  rules:
    - id: a
      entity: { pipeline: tenders }
      trigger: { type: created }
      actions: [{ type: comment, text: x }]
    - id: b
      entity: { pipeline: sales }
      trigger: { type: stayed_in_stage, stage: QUALIFIED, days: 15 }
      actions: [{ type: move_stage, stage: LOST }]
    - id: b
      entity: { smartProcess: laboratory }
      trigger: { type: created }
      actions: [{ type: notify, to: [boss], message: x }]
`,
      },
    ]);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.issues.map((i) => [i.path, i.line, i.message]).sort()).toEqual([
      [
        'automation.jobs.sync.schedule',
        4,
        'not a cron expression; expected 5 or 6 fields, e.g. "*/10 * * * *"',
      ],
      [
        'automation.rules[2].actions[0].to[0]',
        17,
        'expected responsible, head, observers, user:<id>, field:<NAME>, head_of:<department>, parent:responsible or parent:observers',
      ],
      ['automation.rules[2].id', 14, 'duplicate rule id "b" (also rule 2)'],
    ]);
  });

  it('cross-checks rules against the pipelines once the section parses', () => {
    const loaded = parseConfigFiles([
      { name: 'pipelines.yaml', text: pipelines },
      {
        name: 'automation.yaml',
        text: `automation:
  jobs: { nightly: { schedule: '0 3 * * *' } }
  rules:
    - id: a
      entity: { pipeline: tenders }
      trigger: { type: created }
      actions: [{ type: comment, text: x }]
    - id: b
      entity: { pipeline: sales }
      trigger: { type: stayed_in_stage, stage: QUALIFIED, days: 15 }
      actions: [{ type: move_stage, stage: LOST }]
`,
      },
    ]);
    if (loaded.ok) throw new Error('expected issues');
    expect(loaded.issues.map((i) => [i.path, i.message])).toEqual([
      ['automation.rules[0].entity.pipeline', 'Unknown pipeline "tenders"; known: sales'],
      ['automation.rules[1].trigger.stage', 'No stage "QUALIFIED" in pipeline "sales"'],
      ['automation.rules[1].actions[0].stage', 'No stage "LOST" in pipeline "sales"'],
      ['automation.jobs.nightly', 'Unknown job "nightly"; known: sync, control, backup, reports'],
    ]);
  });
});
