/**
 * plan / apply / pull end to end: the real CLI program in-process (tests/helpers/cli.ts), the real REST
 * client, the local portal over HTTP. The "Done when" list of issue 4, one test each, plus the
 * terminal rules, dry run, a failure half-way and bad config.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import type { Plan } from '../../src/provision/plan.js';
import { runCli } from '../helpers/cli.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';

const HEADS = [
  'director@sfo-nal.example',
  'sales.head@sfo-nal.example',
  'procurement.head@sfo-nal.example',
  'subcontracts.head@sfo-nal.example',
  'lab.head@sfo-nal.example',
  'gti.head@sfo-nal.example',
  'analytics.head@sfo-nal.example',
  'chief.accountant@sfo-nal.example',
];

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh portal with the heads' users, a copy of the shipped config, a state directory. */
async function setup(): Promise<{ portal: LocalPortal; config: string; env: Record<string, string> }> {
  const portal = await portalForTest();
  for (const email of HEADS)
    await callOk(portal.webhookUrl, 'user.add', { EMAIL: email, UF_DEPARTMENT: [1] });
  const config = tempDir('b24lab-config-');
  cpSync('config', config, { recursive: true });
  // Provisioning only: the shipped rules name stages these tests remove (a rule naming a missing stage
  // is a config error that stops `plan`).
  rmSync(join(config, 'automation.yaml'));
  const env = {
    B24LAB_PORTAL: portal.webhookUrl,
    B24LAB_STATE: tempDir('b24lab-state-'),
    B24LAB_RATE_LIMIT: 'off',
    B24LAB_CONFIG: config,
  };
  return { portal, config, env };
}

const hook = (portal: LocalPortal): string => portal.webhookUrl;

interface Category {
  id: number;
  originId?: string;
  name: string;
}

interface StageRow {
  ID: string;
  STATUS_ID: string;
  NAME: string;
  SEMANTICS: string | null;
}

async function salesPipeline(portal: LocalPortal): Promise<Category> {
  const { categories } = (await callOk(hook(portal), 'crm.category.list', { entityTypeId: 2 })) as {
    categories: Category[];
  };
  return categories.find((c) => c.originId === 'sales')!;
}

async function stagesOf(portal: LocalPortal, categoryId: number): Promise<StageRow[]> {
  return (await callOk(hook(portal), 'crm.status.list', {
    filter: { ENTITY_ID: `DEAL_STAGE_${categoryId}` },
    order: { SORT: 'ASC' },
  })) as StageRow[];
}

function editConfig(dir: string, file: string, edit: (text: string) => string): void {
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
}

describe('on an empty local portal', () => {
  let portal: LocalPortal;
  let config: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    ({ portal, config, env } = await setup());
  });
  afterAll(async () => {
    await portal.close();
  });

  it('apply --yes creates everything; a second plan --exit-code exits 0', async () => {
    const before = await runCli(['plan', '--exit-code'], { env });
    expect(before.code).toBe(2);
    expect(before.stdout).toContain('+ Продажи');

    const applied = await runCli(['apply', '--yes'], { env });
    expect(applied.stderr).not.toContain('error');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/^Applied (\d+) of \1 changes in \d+ batch requests\.$/m);

    // Departments: the tree under the renamed top department, heads by e-mail.
    const departments = await callOk(hook(portal), 'department.get', {});
    const users = await callOk(hook(portal), 'user.get', {});
    const byName = (name: string): unknown => departments.find((d: { NAME: string }) => d.NAME === name);
    const idOfEmail = (email: string): unknown => users.find((u: { EMAIL: string }) => u.EMAIL === email).ID;
    expect(byName('Судебно-экспертное учреждение СФО НАЛ')).toMatchObject({
      ID: '1',
      UF_HEAD: idOfEmail(HEADS[0]!),
    });
    expect(byName('ГТИ')).toMatchObject({
      PARENT: (byName('Лаборатория') as { ID: string }).ID,
      UF_HEAD: idOfEmail('gti.head@sfo-nal.example'),
    });
    expect(departments).toHaveLength(9);

    // Pipelines with their keys in originId and their stages in order, with semantics.
    const { categories } = await callOk(hook(portal), 'crm.category.list', { entityTypeId: 2 });
    expect(categories.map((c: { name: string; originId?: string }) => [c.name, c.originId ?? ''])).toEqual(
      expect.arrayContaining([
        ['Продажи', 'sales'],
        ['Госзакупки', 'procurement'],
        ['Субподряды', 'subcontracts'],
      ]),
    );
    const sales = await salesPipeline(portal);
    const stages = await stagesOf(portal, sales.id);
    expect(stages.map((s) => s.NAME)).toEqual([
      'Новая заявка',
      'Квалификация пройдена',
      'Переговоры',
      'Счет отправлен',
      'Счет оплачен',
      'Производство: ГТИ',
      'Производство: аналитика',
      'Производство: комплексная',
      'Результаты отправлены',
      'Обратная связь получена',
      'Сделка успешна',
      'Сделка провалена',
    ]);
    expect(stages.at(-2)).toMatchObject({ STATUS_ID: `C${sales.id}:WON`, SEMANTICS: 'S' });
    expect(stages.at(-1)).toMatchObject({ STATUS_ID: `C${sales.id}:LOSE`, SEMANTICS: 'F' });

    // Deal fields.
    const fields = await callOk(hook(portal), 'crm.deal.userfield.list', { filter: { LANG: 'ru' } });
    expect(fields.map((f: { FIELD_NAME: string }) => f.FIELD_NAME)).toEqual(
      expect.arrayContaining(['UF_CRM_SERVICE', 'UF_CRM_PAID_AMOUNT', 'UF_CRM_AGENT', 'UF_CRM_FEEDBACK']),
    );
    const service = fields.find((f: { FIELD_NAME: string }) => f.FIELD_NAME === 'UF_CRM_SERVICE');
    expect(service).toMatchObject({ USER_TYPE_ID: 'enumeration', EDIT_FORM_LABEL: 'Услуга' });
    expect(service.LIST.map((i: { XML_ID: string }) => i.XML_ID)).toEqual(['GTI', 'ANALYTICS', 'COMPLEX']);

    // The smart process: observers, linked to deals, three directions with keys, fields.
    const { types } = await callOk(hook(portal), 'crm.type.list', {});
    expect(types).toHaveLength(1);
    const { type } = await callOk(hook(portal), 'crm.type.get', { id: types[0].id });
    expect(type).toMatchObject({
      title: 'Лаборатория',
      code: 'laboratory',
      isObserversEnabled: 'Y',
      isCategoriesEnabled: 'Y',
    });
    expect(type.relations.parent).toEqual(
      expect.arrayContaining([expect.objectContaining({ entityTypeId: 2, isChildrenListEnabled: 'Y' })]),
    );
    const directions = await callOk(hook(portal), 'crm.category.list', { entityTypeId: type.entityTypeId });
    expect(
      directions.categories.map((c: { name: string; code: string; isDefault: string }) => [
        c.name,
        c.code,
        c.isDefault,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['Новая заявка', 'new-request', 'Y'],
        ['ГТИ', 'gti', 'N'],
        ['Аналитическая группа', 'analytics', 'N'],
      ]),
    );
    const spaFields = await callOk(hook(portal), 'userfieldconfig.list', {
      moduleId: 'crm',
      filter: { entityId: `CRM_${type.id}` },
    });
    expect(
      spaFields.fields.map((f: { fieldName: string; multiple: string }) => [f.fieldName, f.multiple]),
    ).toEqual([
      [`UF_CRM_${type.id}_DEADLINE`, 'N'],
      [`UF_CRM_${type.id}_DIRECTIONS`, 'Y'],
      [`UF_CRM_${type.id}_LAB_ASSISTANT`, 'N'],
    ]);

    const after = await runCli(['plan', '--exit-code'], { env });
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/^No changes: the portal matches the configuration \(\d+ entities\)\.$/m);
  });

  it('a stage renamed in the portal by hand shows as drift in plan, and apply puts it back', async () => {
    const sales = await salesPipeline(portal);
    const qualified = (await stagesOf(portal, sales.id)).find(
      (s) => s.STATUS_ID === `C${sales.id}:QUALIFIED`,
    )!;
    await callOk(hook(portal), 'crm.status.update', {
      id: qualified.ID,
      fields: { NAME: 'Квалификация (вручную)' },
    });

    const plan = await runCli(['plan', '--exit-code'], { env });
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('~ Продажи › Квалификация пройдена  [drift]');
    expect(plan.stdout).toContain(
      'name: "Квалификация (вручную)" → "Квалификация пройдена"  (changed on the portal)',
    );
    const json = JSON.parse((await runCli(['plan', '--json'], { env })).stdout) as Plan;
    expect(json.summary).toMatchObject({ update: 1, drift: 1, create: 0, delete: 0 });
    expect(json.operations.find((o) => o.action !== 'noop')).toMatchObject({
      address: 'pipeline:sales/stage:QUALIFIED',
      drift: true,
      portalId: Number(qualified.ID),
    });

    expect((await runCli(['apply', '--yes'], { env })).code).toBe(0);
    expect((await stagesOf(portal, sales.id)).find((s) => s.ID === qualified.ID)?.NAME).toBe(
      'Квалификация пройдена',
    );
    expect((await runCli(['plan', '--exit-code'], { env })).code).toBe(0);
  });

  it('a stage removed from config is reported, and deleted only with --allow-deletes', async () => {
    editConfig(config, 'pipelines.yaml', (t) => t.replace(/ {6}- \{ code: PROD_COMPLEX[^\n]*\n/, ''));
    const sales = await salesPipeline(portal);
    const plan = await runCli(['plan'], { env });
    expect(plan.stdout).toContain('- Продажи › Производство: комплексная  [destructive]  not in config');
    expect(plan.stdout).toContain('Destructive changes are applied only with --allow-deletes.');

    const held = await runCli(['apply', '--yes'], { env });
    expect(held.code).toBe(0);
    expect(held.stdout).toContain('Held back (destructive; pass --allow-deletes to apply them):');
    expect((await stagesOf(portal, sales.id)).map((s) => s.STATUS_ID)).toContain(`C${sales.id}:PROD_COMPLEX`);
    expect((await runCli(['plan', '--exit-code'], { env })).code).toBe(2);

    const deleted = await runCli(['apply', '--yes', '--allow-deletes'], { env });
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain('Applied 1 of 1 changes');
    expect((await stagesOf(portal, sales.id)).map((s) => s.STATUS_ID)).not.toContain(
      `C${sales.id}:PROD_COMPLEX`,
    );
    expect((await runCli(['plan', '--exit-code'], { env })).code).toBe(0);
  });

  it('a stage holding deals cannot be deleted (Bitrix24 refuses too): the error says why', async () => {
    const sales = await salesPipeline(portal);
    const deal = await callOk(hook(portal), 'crm.deal.add', {
      fields: { TITLE: 'Экспертиза грунтов', CATEGORY_ID: sales.id, STAGE_ID: `C${sales.id}:NEGOTIATION` },
    });
    expect(Number(deal)).toBeGreaterThan(0);
    // The portal itself refuses (crm-status-delete.md): "There are active items in this status."
    const stage = (await stagesOf(portal, sales.id)).find((s) => s.STATUS_ID === `C${sales.id}:NEGOTIATION`)!;
    const direct = await callOk(hook(portal), 'batch', { cmd: { d: `crm.status.delete?id=${stage.ID}` } });
    expect(JSON.stringify(direct.result_error)).toContain('active items');

    editConfig(config, 'pipelines.yaml', (t) =>
      t.replace(/ {6}- \{ code: NEGOTIATION, name: Переговоры[^\n]*\n/, ''),
    );
    const plan = await runCli(['plan'], { env });
    expect(plan.stdout).toContain(
      '[refused: it holds 1 deals; Bitrix24 refuses to delete a stage that holds deals',
    );

    const apply = await runCli(['apply', '--yes', '--allow-deletes'], { env });
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('Apply stopped after 0 of 1 changes');
    expect(apply.stderr).toContain(
      'holds 1 deals; Bitrix24 refuses to delete a stage that holds deals: move them to another stage first',
    );
    expect((await stagesOf(portal, sales.id)).map((s) => s.STATUS_ID)).toContain(`C${sales.id}:NEGOTIATION`);

    // Once the deal moves on, the same command finishes the work.
    await callOk(hook(portal), 'crm.deal.update', {
      id: deal,
      fields: { STAGE_ID: `C${sales.id}:INVOICE_SENT` },
    });
    expect((await runCli(['apply', '--yes', '--allow-deletes'], { env })).code).toBe(0);
    expect((await stagesOf(portal, sales.id)).map((s) => s.STATUS_ID)).not.toContain(
      `C${sales.id}:NEGOTIATION`,
    );
  });

  it('pull from the provisioned portal, then plan against the pulled config, shows no changes', async () => {
    const out = tempDir('b24lab-pulled-');
    const pulled = await runCli(['pull', '--out', out], { env });
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toMatch(
      /Pulled 9 departments, 3 pipelines \(\d+ stages\), 13 deal fields, 1 smart processes/,
    );
    expect(readdirSync(out).sort()).toEqual([
      'deal-fields.yaml',
      'departments.yaml',
      'lists.yaml',
      'pipelines.yaml',
      'schema.json',
      'smart-processes.yaml',
    ]);
    expect(readFileSync(join(out, 'pipelines.yaml'), 'utf8')).toContain('name: Продажи');

    const plan = await runCli(['plan', '--exit-code', '--config', out], { env });
    expect(plan.stdout).toMatch(/^No changes/m);
    expect(plan.code).toBe(0);

    // A second pull refuses to overwrite files that would change, and names the flag.
    editConfig(out, 'pipelines.yaml', (t) => t.replace('name: Продажи', 'name: Продажи (правка)'));
    const again = await runCli(['pull', '--out', out], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('pull would overwrite pipelines.yaml');
    expect(again.stderr).toContain('--overwrite');
    expect((await runCli(['pull', '--out', out, '--overwrite'], { env })).code).toBe(0);
    expect(readFileSync(join(out, 'pipelines.yaml'), 'utf8')).not.toContain('(правка)');
  });
});

describe('apply without a terminal, dry runs, failures', () => {
  let portal: LocalPortal;
  let env: Record<string, string>;
  beforeAll(async () => {
    ({ portal, env } = await setup());
  });
  afterAll(async () => {
    await portal.close();
  });

  it('refuses without --yes and names the flag; --dry-run shows the calls and changes nothing', async () => {
    const refused = await runCli(['apply'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /Applying \d+ changes to http:\/\/127\.0\.0\.1:\d+ needs confirmation, and there is no terminal to ask on\./,
    );
    expect(refused.stderr).toContain('Pass --yes to proceed.');

    const dry = await runCli(['apply', '--dry-run'], { env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Dry run: \d+ calls would be sent \(nothing is changed\)\.$/m);
    expect(dry.stdout).toContain(
      'crm.category.add {"entityTypeId":2,"fields":{"name":"Продажи","sort":100,"originId":"sales"}}',
    );
    expect(dry.stdout).toContain('"ENTITY_ID":"<ENTITY_ID of pipeline:sales>"');
    expect(dry.stdout).toContain('department.add {"NAME":"Руководство","SORT":100,"UF_HEAD":');

    const { categories } = await callOk(hook(portal), 'crm.category.list', { entityTypeId: 2 });
    expect(categories).toHaveLength(1);
    expect(await callOk(hook(portal), 'department.get', {})).toHaveLength(1);
  });

  it('a failure half-way stops with what was done and not; a rerun finishes the work', async () => {
    // Count the requests a plan makes, so the fault lands on the third batch of writes.
    const next = vi.spyOn(portal.portal.faults, 'next');
    await runCli(['plan'], { env });
    const reads = next.mock.calls.length;
    next.mockRestore();
    await callOk(hook(portal), 'b24lab.faults.set', { spec: `500@${reads + 3}` });

    const stopped = await runCli(['apply', '--yes'], { env });
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toMatch(/^Stopped: \d+ of \d+ changes done, \d+ failed, \d+ not attempted\.$/m);
    expect(stopped.stdout).toContain('Done:');
    expect(stopped.stdout).toContain('Not done:');
    expect(stopped.stderr).toContain('run `b24lab apply` again');
    const done = Number(/^Stopped: (\d+)/m.exec(stopped.stdout)?.[1]);
    expect(done).toBeGreaterThan(0);

    const rerun = await runCli(['apply', '--yes'], { env });
    expect(rerun.code).toBe(0);
    expect((await runCli(['plan', '--exit-code'], { env })).code).toBe(0);
  });

  it('bad config: every problem at once, with file, line and path; nothing is sent', async () => {
    const bad = tempDir('b24lab-bad-');
    writeFileSync(
      join(bad, 'pipelines.yaml'),
      'pipelines:\n  - key: sales\n    name: Продажи\n    stages:\n      - { code: NEW, name: Новая }\n',
    );
    writeFileSync(join(bad, 'departments.yaml'), 'departments:\n  - { key: a, name: А, head: nobody }\n');
    const next = vi.spyOn(portal.portal.faults, 'next');
    const result = await runCli(['plan', '--config', bad], { env });
    expect(next).not.toHaveBeenCalled();
    next.mockRestore();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`The configuration in ${bad} has 3 problems:`);
    expect(result.stderr).toContain(
      'departments.yaml:2:30 departments[0].head: The head is given by the e-mail of a portal user',
    );
    expect(result.stderr).toContain(
      'pipelines.yaml:5:7 pipelines[0].stages: A pipeline needs exactly one stage with semantics: success (found 0)',
    );
    expect(result.stderr).toContain(
      'pipelines[0].stages: A pipeline needs at least one stage with semantics: failure',
    );
  });
});
