import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabConfig } from '../../src/config/config-sections.js';
import { runJob } from '../../src/jobs/run-job.js';
import type { LabPortal, TestEnvironment } from './automation-portal.js';
import { jobEnvironment, labPortal, removeDir } from './automation-portal.js';

/**
 * Process 3 of the case study, «Аудит»: the shipped rules (disabled until the auditors' ids are
 * known) enabled with this portal's laboratory assistant as the auditor.
 */
describe('business process 3: audit task', () => {
  let lab: LabPortal;
  let env: TestEnvironment;

  beforeAll(async () => {
    lab = await labPortal();
    await lab.call('crm.deal.userfield.add', {
      fields: { FIELD_NAME: 'AUDIT_REQUIRED', USER_TYPE_ID: 'boolean' },
    });
    const automation = lab.config.automation!;
    const config: LabConfig = {
      ...lab.config,
      automation: {
        ...automation,
        rules: automation.rules.map((r) =>
          r.id.endsWith('-audit-task')
            ? {
                ...r,
                enabled: true,
                actions: r.actions.map((a) =>
                  a.type === 'task' ? { ...a, responsible: `user:${lab.ids.users.assistant}` } : a,
                ),
              }
            : r,
        ),
      },
    };
    env = { ...jobEnvironment(lab), config };
    await runJob('sync', env);
    await lab.advance(0.01);
  });
  afterAll(async () => {
    env?.close();
    if (env) removeDir(env.dir);
    await lab?.close();
  });

  it('gives the auditor a task when a deal needing an audit reaches the stage, once; not otherwise', async () => {
    const { manager, assistant } = lab.ids.users;
    const sales = lab.ids.pipelines.sales!;
    const add = async (TITLE: string, audit: boolean): Promise<number> =>
      Number(
        await lab.call('crm.deal.add', {
          fields: {
            TITLE,
            CATEGORY_ID: sales.id,
            ASSIGNED_BY_ID: manager,
            UF_CRM_AUDIT_REQUIRED: audit ? 'Y' : 'N',
          },
        }),
      );
    const audited = await add('С аудитом', true);
    const plain = await add('Без аудита', false);
    await runJob('sync', env);
    await lab.advance(0.01);
    for (const id of [audited, plain]) {
      await lab.call('crm.deal.update', { id, fields: { STAGE_ID: sales.stage('RESULTS_SENT') } });
    }
    const dry = await runJob('sync', env, { dryRun: true });
    expect(dry.actions.filter((a) => a.ruleId === 'sales-audit-task')).toEqual([
      expect.objectContaining({ entity: `2:${audited}`, kind: 'task', outcome: 'would-do' }),
    ]);
    await runJob('sync', env);
    const tasks = await lab.tasks(`D_${audited}`);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ title: 'Провести аудит: С аудитом', responsibleId: String(assistant) });
    expect(await lab.tasks(`D_${plain}`)).toEqual([]);
    expect((await runJob('sync', env)).actions).toEqual([]);
    expect(await lab.tasks(`D_${audited}`)).toHaveLength(1);
  });
});
