/**
 * The `lists:` section through `b24lab plan` / `apply` against the local portal: the contract registry
 * of config/lists.yaml is created with its fields, a second apply changes nothing, a change made on the
 * portal by hand shows as drift and is put back, config changes update fields and values, and a field
 * gone from config is deleted only with --allow-deletes.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import type { Plan } from '../../src/provision/plan.js';
import { runCli } from '../helpers/cli.js';
import { callOk, portalForTest } from '../helpers/local-portal.js';

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

interface FieldRow {
  FIELD_ID: string;
  NAME: string;
  TYPE: string;
  CODE?: string;
  IS_REQUIRED: string;
  MULTIPLE: string;
  USER_TYPE_SETTINGS?: unknown;
  DISPLAY_VALUES_FORM?: Record<string, string>;
  DEFAULT_VALUE?: string;
}

let portal: LocalPortal;
let config: string;
let env: Record<string, string>;
const address = { IBLOCK_TYPE_ID: 'lists', IBLOCK_CODE: 'contracts' };
const fieldsOf = async (): Promise<Record<string, FieldRow>> =>
  (await callOk(portal.webhookUrl, 'lists.field.get', address)) as Record<string, FieldRow>;
const byCode = async (code: string): Promise<FieldRow | undefined> =>
  Object.values(await fieldsOf()).find((f) => f.CODE === code);
const plan = async (): Promise<Plan> =>
  JSON.parse((await runCli(['plan', '--json'], { env })).stdout) as Plan;
const changed = (p: Plan) => p.operations.filter((o) => o.action !== 'noop');

beforeAll(async () => {
  portal = await portalForTest();
  config = tempDir('b24lab-lists-config-');
  copyFileSync('config/lists.yaml', join(config, 'lists.yaml'));
  env = {
    B24LAB_PORTAL: portal.webhookUrl,
    B24LAB_STATE: tempDir('b24lab-lists-state-'),
    B24LAB_RATE_LIMIT: 'off',
    B24LAB_CONFIG: config,
  };
});
afterAll(async () => {
  await portal.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function editConfig(edit: (text: string) => string): void {
  const path = join(config, 'lists.yaml');
  const before = readFileSync(path, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
}

describe('lists: plan and apply', () => {
  it('plans the registry, apply creates it with its fields, a second apply changes nothing', async () => {
    const first = await plan();
    expect(changed(first).map((o) => [o.action, o.address])).toEqual([
      ['create', 'list:contracts'],
      ['update', 'list:contracts/field:NAME'],
      ['create', 'list:contracts/field:DEAL'],
      ['create', 'list:contracts/field:AMOUNT'],
      ['create', 'list:contracts/field:SUBMITTED_BY'],
      ['create', 'list:contracts/field:APPROVER'],
      ['create', 'list:contracts/field:APPROVAL_DATE'],
      ['create', 'list:contracts/field:STATUS'],
    ]);
    const text = await runCli(['plan', '--exit-code'], { env });
    expect(text.code).toBe(2);
    expect(text.stdout).toContain('Реестр договоров');

    const applied = await runCli(['apply', '--yes'], { env });
    expect(applied.stderr).not.toContain('error');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/^Applied 8 of 8 changes in \d+ batch requests\.$/m);

    const [list] = (await callOk(portal.webhookUrl, 'lists.get', address)) as Record<string, string>[];
    expect(list).toMatchObject({ NAME: 'Реестр договоров', CODE: 'contracts', SORT: '100' });
    const fields = await fieldsOf();
    expect(fields.NAME).toMatchObject({ NAME: 'Номер договора', TYPE: 'NAME' });
    expect(await byCode('DEAL')).toMatchObject({
      TYPE: 'S:ECrm',
      NAME: 'Сделка',
      IS_REQUIRED: 'Y',
      USER_TYPE_SETTINGS: { DEAL: 'Y', VISIBLE: 'Y' },
    });
    expect(await byCode('SUBMITTED_BY')).toMatchObject({ TYPE: 'S:employee', IS_REQUIRED: 'Y' });
    expect(await byCode('APPROVAL_DATE')).toMatchObject({ TYPE: 'S:Date', IS_REQUIRED: 'N' });
    const status = (await byCode('STATUS'))!;
    expect(status.TYPE).toBe('L');
    expect(Object.values(status.DISPLAY_VALUES_FORM ?? {})).toEqual([
      'На согласовании',
      'Согласован',
      'Отклонен',
    ]);
    expect(status.DISPLAY_VALUES_FORM?.[status.DEFAULT_VALUE ?? '']).toBe('На согласовании');

    const again = await runCli(['plan', '--exit-code'], { env });
    expect(again.code).toBe(0);
    const second = await runCli(['apply', '--yes'], { env });
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('Applied');
  });

  it('pull writes the list as lists.yaml; planning the pulled config shows no changes', async () => {
    const out = tempDir('b24lab-lists-pulled-');
    const pulled = await runCli(['pull', '--out', out], { env });
    expect(pulled.code).toBe(0);
    const text = readFileSync(join(out, 'lists.yaml'), 'utf8');
    expect(text).toContain('key: contracts');
    expect(text).toContain('elementName: Номер договора');
    expect(text).toContain('type: crm');
    const again = await runCli(['plan', '--exit-code'], { env: { ...env, B24LAB_CONFIG: out } });
    expect(again.stdout).toMatch(/No changes/);
    expect(again.code).toBe(0);
  });

  it('a field renamed on the portal by hand is drift, and apply puts it back', async () => {
    const amount = (await byCode('AMOUNT'))!;
    await callOk(portal.webhookUrl, 'lists.field.update', {
      ...address,
      FIELD_ID: amount.FIELD_ID,
      FIELDS: { NAME: 'Сумма', TYPE: 'N' },
    });
    const drifted = await plan();
    expect(drifted.summary).toMatchObject({ update: 1, drift: 1, create: 0, delete: 0 });
    expect(changed(drifted)[0]).toMatchObject({
      address: 'list:contracts/field:AMOUNT',
      drift: true,
      changes: [{ field: 'label', from: 'Сумма', to: 'Сумма договора', drift: true }],
    });
    expect((await runCli(['apply', '--yes'], { env })).code).toBe(0);
    expect((await byCode('AMOUNT'))?.NAME).toBe('Сумма договора');
    expect((await runCli(['plan', '--exit-code'], { env })).code).toBe(0);
  });

  it('config changes: the list renamed, a value added keeping the others, a field marked required', async () => {
    const before = (await byCode('STATUS'))!;
    editConfig((t) =>
      t
        .replace('name: Реестр договоров', 'name: Реестр договоров лаборатории')
        .replace(
          '{ key: REJECTED, value: Отклонен }',
          '{ key: REJECTED, value: Отклонен }\n          - { value: Отозван }',
        )
        .replace('label: Согласующий', 'label: Согласующий\n        required: true'),
    );
    const p = await plan();
    expect(changed(p).map((o) => [o.action, o.address, o.destructive])).toEqual([
      ['update', 'list:contracts', false],
      ['update', 'list:contracts/field:APPROVER', false],
      ['update', 'list:contracts/field:STATUS', false],
    ]);
    expect((await runCli(['apply', '--yes'], { env })).code).toBe(0);
    const [list] = (await callOk(portal.webhookUrl, 'lists.get', address)) as Record<string, string>[];
    expect(list?.NAME).toBe('Реестр договоров лаборатории');
    expect((await byCode('APPROVER'))?.IS_REQUIRED).toBe('Y');
    const status = (await byCode('STATUS'))!;
    // The existing values keep their ids (elements holding them keep them).
    for (const [id, value] of Object.entries(before.DISPLAY_VALUES_FORM ?? {}))
      expect(status.DISPLAY_VALUES_FORM?.[id]).toBe(value);
    expect(Object.values(status.DISPLAY_VALUES_FORM ?? {})).toContain('Отозван');
    expect((await runCli(['plan', '--exit-code'], { env })).code).toBe(0);
  });

  it('a field gone from config, or of another type, is re-created or deleted only with --allow-deletes', async () => {
    editConfig((t) =>
      t
        .replace(/ {6}- code: AMOUNT\n {8}type: number\n {8}label: Сумма договора\n {8}sort: 30\n/, '')
        .replace(
          'type: date\n        label: Дата согласования',
          'type: datetime\n        label: Дата согласования',
        ),
    );
    const p = await plan();
    expect(changed(p).map((o) => [o.action, o.address, o.destructive])).toEqual([
      ['delete', 'list:contracts/field:APPROVAL_DATE', true],
      ['create', 'list:contracts/field:APPROVAL_DATE', false],
      ['delete', 'list:contracts/field:AMOUNT', true],
    ]);
    const held = await runCli(['apply', '--yes'], { env });
    expect(held.stdout).toContain('--allow-deletes');
    expect(await byCode('AMOUNT')).toBeDefined();

    expect((await runCli(['apply', '--yes', '--allow-deletes'], { env })).code).toBe(0);
    expect(await byCode('AMOUNT')).toBeUndefined();
    expect((await byCode('APPROVAL_DATE'))?.TYPE).toBe('S:DateTime');
    expect((await runCli(['plan', '--exit-code'], { env })).code).toBe(0);
  });

  it('a config without a lists section does not read or touch lists', async () => {
    const other = tempDir('b24lab-nolists-');
    writeFileSync(join(other, 'deal-fields.yaml'), 'dealFields: []\n');
    const p = JSON.parse(
      (await runCli(['plan', '--json'], { env: { ...env, B24LAB_CONFIG: other } })).stdout,
    ) as Plan;
    expect(p.operations.filter((o) => o.address.startsWith('list:'))).toEqual([]);
  });
});
