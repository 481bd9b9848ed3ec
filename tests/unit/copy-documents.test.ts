import { describe, expect, it } from 'vitest';
import {
  fieldFiles,
  folderPath,
  holds,
  safeFolderName,
} from '../../src/automation/actions/copy-documents.js';
import { actionSchema } from '../../src/automation/rule-schema.js';

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
