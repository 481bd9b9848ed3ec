import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import type { ItemDoc } from '../../src/emulator/crm/model.js';
import { itemKind } from '../../src/emulator/crm/model.js';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { applyPlan } from '../../src/provision/apply-plan.js';
import { preparePlan } from '../../src/provision/prepare-plan.js';
import { createClient } from '../../src/rest/client.js';
import type { DoctorReport } from '../../src/repair/run-doctor.js';
import type { RepairResult } from '../../src/repair/run-repair.js';
import { runCli } from '../helpers/cli.js';
import type { Encoding } from '../helpers/local-portal.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';

/**
 * One instance of every problem doctor knows, planted on a fresh local portal through REST (both
 * body encodings) and the emulator's controls:
 *   off-pipeline-stage     deal «Не та воронка» of «Продажи» with a stage of «Госзакупки»
 *   inactive-responsible   an open deal and an open task of Борис, dismissed (heir: the sales head)
 *   responsible-mismatch   contact «Клиент Анны» (Анна) whose open deal is the sales head's
 *   lab-item-link          a laboratory item without a deal; a deal in production without an item
 *   remaining-amount       1000 - 400 paid, but 1000 remaining
 *   stale-list-values      a contact whose «Категория» value was deleted from the list
 *   duplicates             two contacts with one phone typed two ways
 *   stuck-workflows        a business process locked until an hour ago
 *   config-drift           the paid-amount field's label changed by hand after provisioning
 */
let lp: LocalPortal;
let url: string;
const dir = mkdtempSync(join(tmpdir(), 'b24lab-doctor-'));
const stateDir = join(dir, 'state');
const configDir = join(dir, 'config');
const backupDir = join(dir, 'backups');
const call = (method: string, params: Record<string, unknown>, encoding: Encoding = 'json') =>
  callOk(url, method, params, encoding);
const ids: Record<string, number> = {};
let lab = 0;
let workflowId = '';

const CONFIG = `dealFields:
  - { code: PAID_AMOUNT, type: double, label: Оплаченная сумма, sort: 200 }
  - { code: REMAINING_AMOUNT, type: double, label: Остаток к оплате, sort: 210 }
`;

async function deal(
  title: string,
  fields: Record<string, unknown>,
  encoding: Encoding = 'json',
): Promise<number> {
  return Number(
    (await call('crm.item.add', { entityTypeId: 2, fields: { title, ...fields } }, encoding)).item.id,
  );
}

beforeAll(async () => {
  lp = await portalForTest();
  url = lp.webhookUrl;
  await call('b24lab.clock.set', { time: '2026-03-02T10:00:00+03:00' });

  // Provision the config's deal fields the way `apply` does, then change one label by hand (drift).
  mkdirSync(configDir);
  writeFileSync(join(configDir, 'deal-fields.yaml'), CONFIG);
  const loaded = loadConfig(configDir);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const client = createClient({ connection: { kind: 'webhook', url }, rateLimit: 'off' });
  try {
    const { plan } = await preparePlan(client, loaded.config, undefined);
    const applied = await applyPlan(client, plan, { allowDeletes: false });
    expect(applied.failed).toEqual([]);
  } finally {
    client.close();
  }
  const paidField = (
    await call('crm.deal.userfield.list', { filter: { FIELD_NAME: 'UF_CRM_PAID_AMOUNT' } })
  )[0];
  await call(
    'crm.deal.userfield.update',
    { id: paidField.ID, fields: { EDIT_FORM_LABEL: { ru: 'Оплачено (вручную)' } } },
    'form',
  );

  // People: the sales department is headed by Ирина; Анна and Борис are managers, Борис leaves.
  const user = async (name: string, email: string, department: number, encoding: Encoding = 'json') =>
    Number(await call('user.add', { NAME: name, EMAIL: email, UF_DEPARTMENT: [department] }, encoding));
  ids.head = await user('Ирина', 'sales.head@lab.local', 1);
  const sales = Number(await call('department.add', { NAME: 'Отдел продаж', PARENT: 1, UF_HEAD: ids.head }));
  ids.anna = await user('Анна', 'anna@lab.local', sales, 'form');
  ids.boris = await user('Борис', 'boris@lab.local', sales);

  // Pipelines «Продажи» (with a production stage) and «Госзакупки».
  const pipeline = async (name: string) =>
    Number((await call('crm.category.add', { entityTypeId: 2, fields: { name } })).category.id);
  ids.sales = await pipeline('Продажи');
  ids.procurement = await pipeline('Госзакупки');
  await call(
    'crm.status.add',
    {
      fields: {
        ENTITY_ID: `DEAL_STAGE_${ids.sales}`,
        STATUS_ID: 'PROD_GTI',
        NAME: 'Производство: ГТИ',
        SORT: 25,
      },
    },
    'form',
  );
  const inSales = (code: string) => ({ categoryId: ids.sales, stageId: `C${ids.sales}:${code}` });

  // The laboratory smart process, its items belong to deals (parentId2).
  const type = await call('crm.type.add', {
    fields: {
      title: 'Лаборатория',
      code: 'laboratory',
      isCategoriesEnabled: 'Y',
      isStagesEnabled: 'Y',
      relations: { parent: [{ entityTypeId: 2, isChildrenListEnabled: 'true' }] },
    },
  });
  lab = Number(type.type.entityTypeId);

  // A contact list field whose value is deleted later.
  await call('crm.contact.userfield.add', {
    fields: {
      FIELD_NAME: 'CATEGORY',
      USER_TYPE_ID: 'enumeration',
      EDIT_FORM_LABEL: 'Категория',
      LIST: [{ VALUE: 'VIP' }, { VALUE: 'Обычный' }],
    },
  });
  const categoryField = (
    await call('crm.contact.userfield.list', { filter: { FIELD_NAME: 'UF_CRM_CATEGORY' } })
  )[0];
  const vip = Number(categoryField.LIST.find((i: { VALUE: string }) => i.VALUE === 'VIP').ID);

  // off-pipeline-stage: crm.item.update refuses a stage of another pipeline (the portal validates
  // the stage against the deal's pipeline on write), so the broken state an import or a database
  // edit leaves on a box is planted directly in the local portal's store.
  ids.offPipeline = await deal('Не та воронка', inSales('NEW'));
  const doc = lp.portal.store.get<ItemDoc>(itemKind(2), ids.offPipeline)!;
  doc.stageId = `C${ids.procurement}:NEW`;
  lp.portal.store.put(itemKind(2), doc);

  ids.borisDeal = await deal('Сделка Бориса', { ...inSales('NEW'), assignedById: ids.boris }, 'form');
  ids.borisTask = Number(
    (await call('tasks.task.add', { fields: { TITLE: 'Позвонить клиенту', RESPONSIBLE_ID: ids.boris } })).task
      .id,
  );
  await call('user.update', { ID: ids.boris, ACTIVE: 'N' }, 'form');

  ids.annaContact = Number(
    await call('crm.contact.add', { fields: { NAME: 'Клиент Анны', ASSIGNED_BY_ID: ids.anna } }),
  );
  ids.headDeal = await deal('Сделка Ирины', {
    ...inSales('NEW'),
    assignedById: ids.head,
    contactIds: [ids.annaContact],
  });

  ids.orphanItem = Number(
    (await call('crm.item.add', { entityTypeId: lab, fields: { title: 'Проект без сделки' } })).item.id,
  );
  ids.production = await deal('В производстве', inSales('PROD_GTI'));

  ids.amounts = await deal('Частичная оплата', {
    ...inSales('NEW'),
    opportunity: 1000,
    ufCrmPaidAmount: 400,
    ufCrmRemainingAmount: 1000,
  });

  ids.vipContact = Number(
    await call('crm.contact.add', { fields: { NAME: 'VIP клиент', UF_CRM_CATEGORY: vip } }, 'form'),
  );
  await call('crm.contact.userfield.update', {
    id: categoryField.ID,
    fields: { LIST: [{ ID: vip, DEL: 'Y' }] },
  });

  ids.dup1 = Number(
    await call('crm.contact.add', {
      fields: { NAME: 'Пётр', PHONE: [{ VALUE: '+7 (913) 555-12-34', VALUE_TYPE: 'WORK' }] },
    }),
  );
  ids.dup2 = Number(
    await call(
      'crm.contact.add',
      { fields: { NAME: 'Пётр Иванов', PHONE: [{ VALUE: '8 913 555 12 34', VALUE_TYPE: 'MOBILE' }] } },
      'form',
    ),
  );

  workflowId = (
    await call('b24lab.bizproc.instances.add', {
      fields: {
        DOCUMENT_ID: `DEAL_${ids.production}`,
        TEMPLATE_ID: 212,
        OWNED_UNTIL: '2026-03-02T09:00:00+03:00',
      },
    })
  ).ID;
});

afterAll(async () => {
  await lp.close();
  rmSync(dir, { recursive: true, force: true });
});

const common = () => ['--portal', url, '--state', stateDir, '--config', configDir, '--rate-limit', 'off'];

async function doctor(): Promise<{ code: number; report: DoctorReport }> {
  const run = await runCli(['doctor', ...common(), '--json']);
  expect(run.stderr).toBe('');
  return { code: run.code, report: JSON.parse(run.stdout) as DoctorReport };
}

/** [check, fixable, ids of the entities] per finding. */
const digest = (report: DoctorReport) =>
  report.checks.flatMap((c) => c.findings.map((f) => [f.check, f.fixable, f.entities.map((e) => e.id)]));

const snapshotOf = async () => ({
  borisDeal: (await call('crm.item.get', { entityTypeId: 2, id: ids.borisDeal })).item.assignedById,
  borisTask: (await call('tasks.task.get', { taskId: ids.borisTask })).task.responsibleId,
  annaContact: (await call('crm.item.get', { entityTypeId: 3, id: ids.annaContact })).item.assignedById,
  amounts: (await call('crm.item.get', { entityTypeId: 2, id: ids.amounts })).item.ufCrmRemainingAmount,
});

describe('b24lab doctor and repair', () => {
  let before: Awaited<ReturnType<typeof snapshotOf>>;
  let backup = '';

  it('doctor reports each planted problem and nothing else, exit 2', async () => {
    const { code, report } = await doctor();
    expect(code).toBe(2);
    expect(report.checks.filter((c) => c.skipped)).toEqual([]);
    expect(digest(report)).toEqual([
      ['off-pipeline-stage', 'repair', [ids.offPipeline]],
      ['inactive-responsible', 'repair', [ids.borisDeal]],
      ['inactive-responsible', 'repair', [ids.borisTask]],
      ['responsible-mismatch', 'repair', [ids.annaContact]],
      ['lab-item-link', 'person', [ids.orphanItem]],
      ['lab-item-link', 'person', [ids.production]],
      ['remaining-amount', 'repair', [ids.amounts]],
      ['stale-list-values', 'repair', [ids.vipContact]],
      ['duplicates', 'merge', [ids.dup1, ids.dup2]],
      ['stuck-workflows', 'person', [workflowId]],
      ['config-drift', 'person', ['dealField:PAID_AMOUNT']],
    ]);
    expect(report.summary).toEqual({ findings: 11, repair: 6, merge: 1, person: 4 });
    const offPipeline = report.checks[0]!.findings[0]!;
    expect(offPipeline.entities[0]!.link).toBe(`${lp.url}/crm/deal/details/${ids.offPipeline}/`);
    expect(offPipeline.hint).toBe(`Move it to «Новая» (C${ids.sales}:NEW) of its own pipeline.`);
    expect(report.checks[1]!.findings[0]!.hint).toBe(`Reassign to Ирина (#${ids.head}).`);
    // Measured against the portal's clock (server.time), not this machine's.
    expect(report.checks[7]!.findings[0]!.summary).toContain('locked for 60 minutes past its lock time');
  });

  it('the human view groups findings by check and prints the server checklist', async () => {
    const run = await runCli(['doctor', ...common(), '--only', 'duplicates,stuck-workflows']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('✗ Duplicate contacts and companies (1)');
    expect(run.stdout).toContain('fix   repair --merge-duplicates: Merge them on the portal');
    expect(run.stdout).toContain(`contact #${ids.dup1} «Пётр»  ${lp.url}/crm/contact/details/${ids.dup1}/`);
    expect(run.stdout).toContain(
      '2 findings: 0 fixed by `b24lab repair`, 1 with `--merge-duplicates`, 1 need a person.',
    );
    expect(run.stdout).toContain('Agents run from cron, not on hits');
    expect(run.stdout).not.toContain('Responsible dismissed');
  });

  it('repair without a terminal and without --yes refuses and names --yes; --dry-run changes nothing', async () => {
    const refused = await runCli(['repair', ...common()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Pass --yes to proceed.');
    const dry = await runCli(['repair', ...common(), '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const result = JSON.parse(dry.stdout) as RepairResult;
    expect(result.applied).toBe(false);
    expect(result.plan.calls.map((c) => c.method)).toEqual([
      'crm.item.update',
      'crm.item.update',
      'tasks.task.update',
      'crm.item.update',
      'crm.item.update',
      'crm.item.update',
    ]);
    before = await snapshotOf();
    expect(before).toEqual({
      borisDeal: ids.boris,
      borisTask: String(ids.boris),
      annaContact: ids.anna,
      amounts: 1000,
    });
  });

  it('repair --yes saves the touched records, fixes the fixable, and a second doctor shows only what needs a person', async () => {
    const run = await runCli(['repair', ...common(), '--yes', '--backup-dir', backupDir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Done: 6 changed, 0 failed. Left for a person: 5');
    backup = /Backup of the touched records: (\S+)/.exec(run.stdout)![1]!;
    expect(backup.startsWith(join(backupDir, 'repairs'))).toBe(true);
    expect(await snapshotOf()).toEqual({
      borisDeal: ids.head,
      borisTask: String(ids.head),
      annaContact: ids.head,
      amounts: 600,
    });
    const moved = (await call('crm.item.get', { entityTypeId: 2, id: ids.offPipeline })).item;
    expect([moved.categoryId, moved.stageId]).toEqual([ids.sales, `C${ids.sales}:NEW`]);
    const vip = (await call('crm.item.get', { entityTypeId: 3, id: ids.vipContact })).item;
    expect(vip.ufCrmCategory).toBeNull();

    const { code, report } = await doctor();
    expect(code).toBe(2);
    expect(digest(report)).toEqual([
      ['lab-item-link', 'person', [ids.orphanItem]],
      ['lab-item-link', 'person', [ids.production]],
      ['duplicates', 'merge', [ids.dup1, ids.dup2]],
      ['stuck-workflows', 'person', [workflowId]],
      ['config-drift', 'person', ['dealField:PAID_AMOUNT']],
    ]);
  });

  it('the undo puts back every field repair changed that the portal accepts, and names the rest', async () => {
    const run = await runCli(['repair', ...common(), '--undo', backup, '--yes', '--json']);
    const undone = JSON.parse(run.stdout) as {
      outcomes: { entity: string; id: number; ok: boolean; error?: string }[];
    };
    expect(await snapshotOf()).toEqual(before);
    // The two broken values cannot be written back: the portal validates a stage against the deal's
    // pipeline and a list value against the list (which is why they had to be planted past REST).
    expect(
      undone.outcomes
        .filter((o) => !o.ok)
        .map((o) => o.id)
        .sort(),
    ).toEqual([ids.offPipeline, ids.vipContact].sort());
    expect(run.code).toBe(1);
    const { report } = await doctor();
    expect(digest(report).map(([check]) => check)).toEqual([
      'inactive-responsible',
      'inactive-responsible',
      'responsible-mismatch',
      'lab-item-link',
      'lab-item-link',
      'remaining-amount',
      'duplicates',
      'stuck-workflows',
      'config-drift',
    ]);
  });
});
