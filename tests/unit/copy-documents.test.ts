import { describe, expect, it } from 'vitest';
import {
  copyDocuments,
  fieldFiles,
  folderPath,
  holds,
  safeFolderName,
} from '../../src/automation/actions/copy-documents.js';
import { actionSchema } from '../../src/automation/rule-schema.js';
import type { B24Client } from '../../src/rest/client.js';

describe('copy_documents: the pure parts', () => {
  it('turns a path template into Drive folder names, one segment at a time', () => {
    const render = (text: string): string =>
      text.replace('{{title}}', 'ООО "Ромашка" / договор').replace('{{id}}', '12');
    expect(folderPath('Проекты/{{title}} (сделка {{id}})', render)).toEqual([
      'Проекты',
      'ООО _Ромашка_ _ договор (сделка 12)',
    ]);
    expect(folderPath('/Проекты//Архив/', (t) => t)).toEqual(['Проекты', 'Архив']);
    expect(safeFolderName('  a:b*c?  ')).toBe('a_b_c_');
    expect(safeFolderName('конец...')).toBe('конец');
    expect(safeFolderName('   ')).toBe('_');
    expect(safeFolderName('я'.repeat(300))).toHaveLength(200);
  });

  it('a folder holds a document by name (any case) and size, or as a unique-named copy', () => {
    const files = [
      { name: 'Акт.pdf', size: 10 },
      { name: 'ТЗ (1).docx', size: 7 },
    ];
    expect(holds(files, 'акт.PDF', 10)).toBe(true);
    expect(holds(files, 'Акт.pdf', 12)).toBe(false);
    expect(holds(files, 'ТЗ.docx', 7)).toBe(true);
    expect(holds(files, 'ТЗ.docx', 8)).toBe(false);
    expect(holds(files, 'Т.docx', 7)).toBe(false);
    expect(holds([{ name: 'a+b (2)', size: 1 }], 'a+b', 1)).toBe(true);
  });

  it('finds the file values of an item: single and multiple fields, nothing else', () => {
    const file = (id: number) => ({
      id,
      url: `https://p/show/${id}`,
      urlMachine: `https://p/rest/download.json?token=${id}`,
    });
    expect(
      fieldFiles({
        id: 5,
        title: 'Сделка',
        UF_CRM_CONTRACT: file(3),
        UF_CRM_SPECS: [file(4), file(6)],
        UF_CRM_EMPTY: [],
        UF_CRM_LINK: { id: 9, url: 'https://p/x' },
        observers: [1, 2],
      }),
    ).toEqual([
      { field: 'UF_CRM_CONTRACT', id: 3, link: 'https://p/rest/download.json?token=3' },
      { field: 'UF_CRM_SPECS', id: 4, link: 'https://p/rest/download.json?token=4' },
      { field: 'UF_CRM_SPECS', id: 6, link: 'https://p/rest/download.json?token=6' },
    ]);
  });

  it('the rule syntax: the common drive by default, a storage id, a field to save the link to', () => {
    expect(actionSchema.parse({ type: 'copy_documents', folder: 'Проекты/{{title}}' })).toEqual({
      type: 'copy_documents',
      folder: 'Проекты/{{title}}',
      storage: 'common',
    });
    expect(
      actionSchema.parse({ type: 'copy_documents', folder: 'X', storage: 17, saveTo: 'DOCS_FOLDER' }),
    ).toMatchObject({ storage: 17, saveTo: 'DOCS_FOLDER' });
    expect(actionSchema.safeParse({ type: 'copy_documents', folder: ' ' }).success).toBe(false);
    expect(actionSchema.safeParse({ type: 'copy_documents', folder: 'X', storage: 'user' }).success).toBe(
      false,
    );
    expect(actionSchema.safeParse({ type: 'copy_documents', folder: 'X', saveTo: 'UF CRM' }).success).toBe(
      false,
    );
  });
});

describe('copy_documents: activity attachments (a portal that serves crm.activity.list)', () => {
  it('copies Drive files of activities (STORAGE_TYPE_ID 3) with copyto, after disk.file.get for name and size', async () => {
    const calls: string[] = [];
    const rows: Record<string, Record<string, unknown>[]> = {
      'disk.storage.getlist': [{ ID: '1', ENTITY_ID: 'shared_files_s1', ROOT_OBJECT_ID: '10' }],
      'disk.folder.getchildren:10': [
        { ID: '20', NAME: 'Проект', TYPE: 'folder', DETAIL_URL: 'https://p/docs/path/Проект/' },
      ],
      'disk.folder.getchildren:20': [{ ID: '31', NAME: 'письмо.eml', TYPE: 'file', SIZE: '5' }],
      'crm.timeline.comment.list': [],
      'crm.activity.list': [
        { ID: '1', STORAGE_TYPE_ID: '3', STORAGE_ELEMENT_IDS: ['101', '102'] },
        { ID: '2', STORAGE_TYPE_ID: '1', STORAGE_ELEMENT_IDS: ['900'] },
      ],
    };
    const meta: Record<number, Record<string, unknown>> = {
      101: { NAME: 'письмо.eml', SIZE: '5' },
      102: { NAME: 'смета.xlsx', SIZE: '9' },
    };
    const stream = (list: Record<string, unknown>[]) =>
      Object.assign(
        (async function* () {
          yield* list;
        })(),
        { summary: { rows: list.length, requests: 1 } },
      );
    const client = {
      list: (method: string, params: Record<string, unknown> = {}) => {
        calls.push(method);
        const key = method === 'disk.folder.getchildren' ? `${method}:${String(params.id)}` : method;
        return stream(rows[key] ?? []);
      },
      call: (method: string, params: Record<string, unknown> = {}) => {
        calls.push(
          method === 'disk.file.get' || method === 'disk.file.copyto'
            ? `${method} ${String(params.id)}`
            : method,
        );
        if (method === 'crm.item.get')
          return Promise.resolve({ item: { id: 5, UF_CRM_DOCS_FOLDER: 'https://p/docs/path/Проект/' } });
        if (method === 'disk.file.get') return Promise.resolve(meta[Number(params.id)]);
        if (method === 'disk.file.copyto')
          return Promise.resolve({ ID: 300, NAME: meta[Number(params.id)]!.NAME });
        return Promise.reject(new Error(`unexpected ${method}`));
      },
      download: () => Promise.reject(new Error('no downloads expected')),
    } as unknown as B24Client;
    const result = await copyDocuments(client, {
      key: 'k',
      marker: 'b24lab#2',
      ruleId: 'r',
      entity: { entityTypeId: 2, id: 5 },
      occurrence: 'o',
      summary: '',
      kind: 'copy_documents',
      folder: ['Проект'],
      storage: 'common',
      saveTo: 'UF_CRM_DOCS_FOLDER',
    });
    expect(result).toEqual({ folderId: 20, url: 'https://p/docs/path/Проект/', copied: ['смета.xlsx'] });
    expect(calls).toEqual([
      'disk.storage.getlist',
      'disk.folder.getchildren',
      'disk.folder.getchildren',
      'crm.item.get',
      'crm.timeline.comment.list',
      'crm.activity.list',
      'disk.file.get 101',
      'disk.file.get 102',
      'disk.file.copyto 102',
    ]);
  });
});
