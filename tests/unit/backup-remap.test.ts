import { describe, expect, it } from 'vitest';
import { IdMap } from '../../src/backup/id-map.js';
import { matchUsers } from '../../src/backup/match-users.js';
import { REMAP_RULES } from '../../src/backup/remap-rules.js';
import {
  formatBinding,
  parseBinding,
  remapRow,
  remapStage,
  remapStatusEntity,
} from '../../src/backup/remap-row.js';

/** Source portal -> target portal IDs for a small lab: two users, a pipeline, a smart process. */
function labMap(): IdMap {
  return IdMap.from({
    user: { '1': 1, '7': 31, '9': 40 },
    category: { '3': 12, '5': 17 },
    smartType: { '1032': 1040 },
    deal: { '12': 901 },
    contact: { '5': 66 },
    company: { '4': 77 },
    'item:1032': { '3': 5 },
    task: { '2': 20 },
    file: { '55': 130 },
    department: { '1': 1, '4': 8 },
  });
}

describe('IdMap', () => {
  it('round-trips through JSON (the mapping file) and counts per kind', () => {
    const map = labMap();
    const again = IdMap.from(JSON.parse(JSON.stringify(map)) as Record<string, Record<string, number>>);
    expect(again.get('deal', 12)).toBe(901);
    expect(again.get('deal', '12')).toBe(901);
    expect(again.has('deal', 13)).toBe(false);
    expect(again.size('user')).toBe(3);
    expect(again.size('nothing')).toBe(0);
  });
});

describe('matchUsers', () => {
  it('matches by e-mail, case and spaces ignored, and gives the rest to the fallback', () => {
    const source = [
      { ID: '1', EMAIL: 'admin@lab.ru' },
      { ID: '7', EMAIL: ' Ivanov@Lab.ru ' },
      { ID: '8', EMAIL: 'gone@lab.ru' },
      { ID: '9', EMAIL: '' },
      { ID: '10', EMAIL: 'twin@lab.ru' },
    ];
    const target = [
      { ID: '1', EMAIL: 'admin@lab.ru' },
      { ID: '31', EMAIL: 'ivanov@lab.ru' },
      { ID: '50', EMAIL: 'twin@lab.ru' },
      { ID: '51', EMAIL: 'TWIN@lab.ru' },
      { ID: '52', EMAIL: null },
    ];
    const match = matchUsers(source, target, 1);
    expect(match.map).toEqual({ '1': 1, '7': 31, '8': 1, '9': 1, '10': 1 });
    expect(match.unmatched).toEqual([
      { id: '8', email: 'gone@lab.ru', reason: 'not on the target portal' },
      { id: '9', email: '', reason: 'no e-mail' },
      { id: '10', email: 'twin@lab.ru', reason: 'ambiguous' },
    ]);
    expect(matchUsers(source, target).map).toEqual({ '1': 1, '7': 31 });
  });
});

describe('stage, directory and binding remapping', () => {
  const map = labMap();
  it.each([
    ['C3:WON', 'C12:WON'],
    ['NEW', 'NEW'],
    ['C0:NEW', 'NEW'],
    ['DT1032_5:NEW', 'DT1040_17:NEW'],
    ['C99:NEW', undefined],
    ['DT1050_5:NEW', undefined],
  ])('stage %s -> %s', (from, to) => {
    expect(remapStage(from, map)).toBe(to);
  });

  it.each([
    ['DEAL_STAGE_3', 'DEAL_STAGE_12'],
    ['DEAL_STAGE', 'DEAL_STAGE'],
    ['DYNAMIC_1032_STAGE_5', 'DYNAMIC_1040_STAGE_17'],
    ['SOURCE', 'SOURCE'],
    ['DEAL_STAGE_4', undefined],
  ])('status directory %s -> %s', (from, to) => {
    expect(remapStatusEntity(from, map)).toBe(to);
  });

  it('parses and formats CRM bindings, smart processes in hex', () => {
    expect(parseBinding('D_12')).toEqual({ kind: 'deal', id: '12' });
    expect(parseBinding('CO_4')).toEqual({ kind: 'company', id: '4' });
    expect(parseBinding('T408_3')).toEqual({ kind: 'item:1032', id: '3' });
    expect(parseBinding('X_1')).toBeUndefined();
    expect(parseBinding('hello')).toBeUndefined();
    expect(formatBinding('deal', 901, map)).toBe('D_901');
    expect(formatBinding('item:1032', 5, map)).toBe('T410_5');
    expect(formatBinding('item:1050', 5, map)).toBeUndefined();
    expect(formatBinding('task', 5, map)).toBeUndefined();
  });
});

describe('remapRow with the shipped rules', () => {
  const map = labMap();

  it('re-points a deal: users, contact, company, pipeline, stage, parent item; drops ID and system dates', () => {
    const deal = {
      ID: '12',
      TITLE: 'Экспертиза почерка',
      CATEGORY_ID: '3',
      STAGE_ID: 'C3:PREPARATION',
      STAGE_SEMANTIC_ID: 'P',
      CONTACT_ID: '5',
      COMPANY_ID: '4',
      LEAD_ID: null,
      ASSIGNED_BY_ID: '7',
      CREATED_BY_ID: '9',
      MODIFY_BY_ID: '1',
      OPPORTUNITY: '150000.00',
      DATE_CREATE: '2026-11-01T10:00:00+03:00',
      DATE_MODIFY: '2026-11-02T10:00:00+03:00',
      PARENT_ID_1032: '3',
      UF_CRM_NUMBER: 'ГК-15',
    };
    expect(remapRow(deal, REMAP_RULES.deals!, map)).toEqual({
      fields: {
        TITLE: 'Экспертиза почерка',
        CATEGORY_ID: 12,
        STAGE_ID: 'C12:PREPARATION',
        CONTACT_ID: 66,
        COMPANY_ID: 77,
        LEAD_ID: null,
        ASSIGNED_BY_ID: 31,
        CREATED_BY_ID: 40,
        MODIFY_BY_ID: 1,
        OPPORTUNITY: '150000.00',
        PARENT_ID_1032: 5,
        UF_CRM_NUMBER: 'ГК-15',
      },
      unresolved: [],
    });
  });

  it('re-points a task: bindings, Drive attachments, watchers; reports a parent not created yet', () => {
    const task = {
      id: '3',
      title: 'Подготовить заключение',
      responsibleId: '7',
      createdBy: '1',
      auditors: ['9', '8'],
      parentId: '4',
      ufCrmTask: ['D_12', 'T408_3', 'CO_99'],
      ufTaskWebdavFiles: ['n55'],
      createdDate: '2026-11-01T10:00:00+03:00',
    };
    const { fields, unresolved } = remapRow(task, REMAP_RULES.tasks!, map);
    expect(fields).toEqual({
      title: 'Подготовить заключение',
      responsibleId: 31,
      createdBy: 1,
      auditors: [40],
      ufCrmTask: ['D_901', 'T410_5'],
      ufTaskWebdavFiles: ['n130'],
    });
    expect(unresolved).toEqual([
      { field: 'auditors', kind: 'user', id: '8' },
      { field: 'parentId', kind: 'task', id: '4' },
      { field: 'ufCrmTask', kind: 'company', id: '99' },
    ]);
  });

  it('re-points a smart-process item (camelCase): type, direction, stage, observers, parent deal', () => {
    const item = {
      id: 3,
      entityTypeId: 1032,
      title: 'Заявка на экспертизу',
      categoryId: 5,
      stageId: 'DT1032_5:NEW',
      assignedById: 7,
      observers: [9, 1],
      parentId2: 12,
      companyId: 0,
      createdTime: '2026-11-01T10:00:00+03:00',
    };
    expect(remapRow(item, REMAP_RULES['smart-process-items']!, map).fields).toEqual({
      entityTypeId: 1040,
      title: 'Заявка на экспертизу',
      categoryId: 17,
      stageId: 'DT1040_17:NEW',
      assignedById: 31,
      observers: [40, 1],
      parentId2: 901,
      companyId: 0,
    });
  });

  it('re-points a timeline comment through its owner type, and strips multifield IDs of a contact', () => {
    const comment = {
      ID: '8',
      ENTITY_TYPE: 'dynamic_1032',
      ENTITY_ID: '3',
      AUTHOR_ID: '7',
      COMMENT: 'Образцы получены',
    };
    expect(remapRow(comment, REMAP_RULES['timeline-comments']!, map).fields).toEqual({
      ENTITY_TYPE: 'dynamic_1032',
      ENTITY_ID: 5,
      AUTHOR_ID: 31,
      COMMENT: 'Образцы получены',
    });
    const orphan = remapRow({ ENTITY_TYPE: 'deal', ENTITY_ID: '13' }, REMAP_RULES['timeline-comments']!, map);
    expect(orphan.unresolved).toEqual([{ field: 'ENTITY_ID', kind: 'deal', id: '13' }]);

    const contact = {
      ID: '5',
      NAME: 'Анна',
      COMPANY_ID: '4',
      PHONE: [{ ID: '156', VALUE_TYPE: 'WORK', VALUE: '+79990000000', TYPE_ID: 'PHONE' }],
      HAS_PHONE: 'Y',
    };
    expect(remapRow(contact, REMAP_RULES.contacts!, map).fields).toEqual({
      NAME: 'Анна',
      COMPANY_ID: 77,
      PHONE: [{ VALUE_TYPE: 'WORK', VALUE: '+79990000000' }],
    });
  });

  it('re-points configuration: stages of a pipeline, categories of a smart process, departments', () => {
    expect(
      remapRow(
        { ID: '40', ENTITY_ID: 'DEAL_STAGE_3', STATUS_ID: 'C3:WON', NAME: 'Успех', CATEGORY_ID: '3' },
        REMAP_RULES.stages!,
        map,
      ).fields,
    ).toEqual({ ENTITY_ID: 'DEAL_STAGE_12', STATUS_ID: 'C12:WON', NAME: 'Успех', CATEGORY_ID: 12 });
    expect(
      remapRow({ id: 5, entityTypeId: 1032, name: 'ГТИ', isDefault: 'N' }, REMAP_RULES.pipelines!, map)
        .fields,
    ).toEqual({
      entityTypeId: 1040,
      name: 'ГТИ',
    });
    expect(
      remapRow({ ID: '4', NAME: 'Лаборатория', PARENT: '1', UF_HEAD: '7' }, REMAP_RULES.departments!, map)
        .fields,
    ).toEqual({
      NAME: 'Лаборатория',
      PARENT: 1,
      UF_HEAD: 31,
    });
    const unknownStage = remapRow({ STAGE_ID: 'C8:NEW' }, REMAP_RULES.deals!, map);
    expect(unknownStage).toEqual({
      fields: {},
      unresolved: [{ field: 'STAGE_ID', kind: 'category', id: 'C8:NEW' }],
    });
  });
});
