import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigIssue } from '../../src/config/config-issue.js';
import { describeIssue, formatPath } from '../../src/config/config-issue.js';
import type { ConfigFile } from '../../src/config/load-config.js';
import { loadConfig, parseConfigFiles } from '../../src/config/load-config.js';

function issuesOf(files: ConfigFile[]): ConfigIssue[] {
  const result = parseConfigFiles(files);
  if (result.ok) throw new Error('expected issues, got a valid config');
  return result.issues;
}

const pipeline = (stages: string): string => `pipelines:
  - key: sales
    name: Продажи
    stages:
${stages}`;

const goodStages = `      - { code: NEW, name: Новая }
      - { code: WON, name: Успех, semantics: success }
      - { code: LOSE, name: Провал, semantics: failure }
`;

describe('loadConfig: the shipped laboratory configuration', () => {
  it('loads config/ with every section, names in Russian, keys stable', () => {
    const result = loadConfig('config');
    if (!result.ok) throw new Error(result.issues.map(describeIssue).join('\n'));
    const { config } = result;
    expect(result.sources).toMatchObject({
      departments: 'departments.yaml',
      pipelines: 'pipelines.yaml',
      dealFields: 'deal-fields.yaml',
      smartProcesses: 'smart-processes.yaml',
    });
    expect(config.pipelines?.map((p) => p.name)).toEqual(['Продажи', 'Госзакупки', 'Субподряды']);
    const sales = config.pipelines?.[0];
    expect(sales?.stages.map((s) => s.name)).toContain('Квалификация пройдена');
    expect(sales?.stages.map((s) => s.name)).toContain('Счет отправлен');
    expect(sales?.stages.at(-2)).toMatchObject({ code: 'WON', semantics: 'success' });
    expect(config.departments?.find((d) => d.key === 'lab-gti')).toMatchObject({
      name: 'ГТИ',
      parent: 'laboratory',
    });
    expect(config.dealFields?.map((f) => f.code)).toEqual([
      'SERVICE',
      'PAID_AMOUNT',
      'REMAINING_AMOUNT',
      'AUDIT_REQUIRED',
      'AGENT',
      'PROJECT_START',
      'PROJECT_END',
      'CONTRACT_NUMBER',
      'CONTRACT_STATUS',
      'RESULTS_SENT_DATE',
      'FEEDBACK',
      'DOCUMENTS',
      'DOCS_FOLDER',
    ]);
    const lab = config.smartProcesses?.[0];
    expect(lab?.title).toBe('Лаборатория');
    expect(lab?.flags?.isObserversEnabled).toBe(true);
    expect(lab?.relations?.parents).toEqual([{ entity: 'deal', childrenList: true }]);
    expect(lab?.categories.map((c) => c.name)).toEqual(['Новая заявка', 'ГТИ', 'Аналитическая группа']);
    expect(lab?.fields?.find((f) => f.code === 'DIRECTIONS')).toMatchObject({ multiple: true });
  });
});

describe('loadConfig: every problem at once', () => {
  it('reports problems of several files together, each with file, path, line and column', () => {
    const issues = issuesOf([
      { name: 'a.yaml', text: 'departments:\n  - key: bad key\n    name: X\n    head: not-an-email\n' },
      {
        name: 'b.yaml',
        text: pipeline(`      - { code: NEW, name: Новая }
      - { code: NEW, name: Ещё новая }
      - { code: WON, name: Успех, semantics: success, colour: red }
`),
      },
      { name: 'c.yaml', text: 'rules: []\n' },
      { name: 'd.yaml', text: 'dealFields:\n  - code: A\n    type: Text Area\n    label: A\n' },
    ]);
    const summary = issues.map((i) => `${i.file} ${i.path}`);
    expect(summary).toEqual(
      expect.arrayContaining([
        'a.yaml departments[0].key',
        'a.yaml departments[0].head',
        'b.yaml pipelines[0].stages[2].colour',
        'c.yaml rules',
        'd.yaml dealFields[0].type',
      ]),
    );
    const head = issues.find((i) => i.path === 'departments[0].head');
    expect(head).toMatchObject({ line: 4, column: 11 });
    expect(head?.message).toContain('e-mail');
    const colour = issues.find((i) => i.path.endsWith('colour'));
    expect(colour?.message).toBe('Unknown key "colour"');
    expect(colour).toMatchObject({ line: 7 });
    expect(issues.find((i) => i.file === 'c.yaml')?.message).toContain('Unknown section "rules"');
  });

  it('reports a YAML syntax error with its line and still checks the other files', () => {
    const issues = issuesOf([
      { name: 'broken.yaml', text: 'pipelines:\n  - key: sales\n    name: [unclosed\n' },
      { name: 'ok.yaml', text: 'departments:\n  - { key: a, name: A, parent: nowhere }\n' },
    ]);
    const yaml = issues.find((i) => i.file === 'broken.yaml');
    expect(yaml?.message).toMatch(/^YAML: /);
    expect(yaml?.line).toBeGreaterThanOrEqual(3);
    expect(issues.find((i) => i.file === 'ok.yaml')).toMatchObject({
      path: 'departments[0].parent',
      message: 'Unknown department key "nowhere"',
      line: 2,
    });
  });

  it('checks stage semantics order, one success, a failure, unique codes', () => {
    const issues = issuesOf([
      {
        name: 'p.yaml',
        text: pipeline(`      - { code: NEW, name: Новая }
      - { code: WON, name: Успех, semantics: success }
      - { code: LATE, name: Поздно }
      - { code: NEW, name: Дубль }
`),
      },
    ]);
    const messages = issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'pipelines[0].stages[3].code: Duplicate stage code "NEW" (first at index 0)',
        'pipelines[0].stages: A pipeline needs at least one stage with semantics: failure',
        expect.stringMatching(
          /^pipelines\[0\]\.stages\[2\]\.semantics: A process stage cannot follow a success stage/,
        ),
      ]),
    );
  });

  it('checks stage codes against the portal limits', () => {
    const issues = issuesOf([
      {
        name: 'p.yaml',
        text: pipeline(`      - { code: a-lower, name: Новая }
      - { code: A_VERY_LONG_STAGE_CODE, name: Длинная }
${goodStages.split('\n').slice(1).join('\n')}`),
      },
    ]);
    expect(issues.map((i) => i.path)).toEqual(['pipelines[0].stages[0].code', 'pipelines[0].stages[1].code']);
    expect(issues[1]?.message).toContain('at most 17');
  });

  it('checks departments: one root, parents exist, no cycles, sibling names unique, unique keys', () => {
    const issues = issuesOf([
      {
        name: 'd.yaml',
        text: `departments:
  - { key: co, name: Компания, root: true }
  - { key: co2, name: Ещё, root: true, parent: co }
  - { key: a, name: А, parent: b }
  - { key: b, name: Б, parent: a }
  - { key: c, name: Склад }
  - { key: d, name: '  склад ' }
  - { key: c, name: Другой }
`,
      },
    ]);
    const messages = issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'departments[1].root: Only one department can be the root',
        'departments[1].parent: The root department has no parent',
        'departments[2].parent: Department "a" is its own ancestor',
        'departments[3].parent: Department "b" is its own ancestor',
        'departments[6].key: Duplicate department key "c" (first at index 4)',
        'departments[5].name: Department name "склад" is already used by a sibling (index 4)',
      ]),
    );
  });

  it('checks fields: enumerations need values, values only on enumerations, keys unique', () => {
    const issues = issuesOf([
      {
        name: 'f.yaml',
        text: `dealFields:
  - { code: SERVICE, type: enumeration, label: Услуга }
  - { code: PAID, type: double, label: Оплачено, list: [{ value: x }] }
  - code: STATUS
    type: enumeration
    label: Статус
    list:
      - { key: A, value: Один, default: true }
      - { key: A, value: Два, default: true }
  - { code: FLAG, type: boolean, label: Флаг, multiple: true }
  - { code: PAID, type: double, label: Снова }
`,
      },
    ]);
    const messages = issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'dealFields[0].list: An enumeration field needs at least one list value',
        'dealFields[1].list: Only an enumeration field has list values (type is double)',
        'dealFields[2].list[1].key: Duplicate list value key "A" (first at index 0)',
        'dealFields[2].list: A single-value field can have one default value (found 2)',
        'dealFields[3].multiple: A boolean field cannot be multiple',
        'dealFields[4].code: Duplicate field code "PAID" (first at index 1)',
      ]),
    );
  });

  it('checks smart processes: directions need the flag, one default direction, links unique', () => {
    const issues = issuesOf([
      {
        name: 's.yaml',
        text: `smartProcesses:
  - key: lab
    title: Лаборатория
    relations: { parents: [{ entity: deal }, { entity: deal }] }
    categories:
      - { key: a, name: А, default: true, stages: [{ code: NEW, name: Н }, { code: S, name: У, semantics: success }, { code: F, name: П, semantics: failure }] }
      - { key: b, name: Б, default: true, stages: [{ code: NEW, name: Н }, { code: S, name: У, semantics: success }, { code: F, name: П, semantics: failure }] }
`,
      },
    ]);
    const messages = issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'smartProcesses[0].categories[1].default: Only one direction can be the default',
        'smartProcesses[0].flags.isCategoriesEnabled: Several directions need flags.isCategoriesEnabled: true',
        'smartProcesses[0].relations.parents[1].entity: Duplicate linked type "deal" (first at index 0)',
      ]),
    );
  });

  it('refuses a section defined in two files, naming the first', () => {
    const issues = issuesOf([
      { name: 'a.yaml', text: pipeline(goodStages) },
      { name: 'b.yaml', text: pipeline(goodStages) },
    ]);
    expect(issues).toEqual([
      {
        file: 'b.yaml',
        path: 'pipelines',
        message: 'Section "pipelines" is already defined in a.yaml',
        line: 1,
        column: 1,
      },
    ]);
  });

  it('accepts empty files; a file that is not a map is an issue', () => {
    expect(parseConfigFiles([{ name: 'empty.yaml', text: '# nothing yet\n' }])).toMatchObject({
      ok: true,
      config: {},
    });
    expect(issuesOf([{ name: 'list.yaml', text: '- a\n- b\n' }])[0]?.message).toContain('map of sections');
  });

  it('absent sections stay absent (not managed); defaults are filled in', () => {
    const result = parseConfigFiles([{ name: 'p.yaml', text: pipeline(goodStages) }]);
    expect(result.ok && result.config.departments).toBeUndefined();
    expect(result.ok && result.config.pipelines?.[0]?.stages[0]?.semantics).toBe('process');
  });
});

describe('loadConfig: the directory', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads every *.yaml and *.yml file, ignoring others', () => {
    dir = mkdtempSync(join(tmpdir(), 'b24lab-config-'));
    writeFileSync(join(dir, 'a.yml'), pipeline(goodStages));
    writeFileSync(join(dir, 'b.yaml'), 'departments: []\n');
    writeFileSync(join(dir, 'notes.txt'), 'not config');
    const result = loadConfig(dir);
    expect(result).toMatchObject({ ok: true, files: ['a.yml', 'b.yaml'] });
  });

  it('a missing directory or one without YAML is one issue, never an exception', () => {
    expect(loadConfig('/nonexistent/b24lab')).toEqual({
      ok: false,
      issues: [{ file: '/nonexistent/b24lab', path: '', message: 'Config directory not found' }],
    });
    dir = mkdtempSync(join(tmpdir(), 'b24lab-config-'));
    expect(loadConfig(dir)).toMatchObject({
      ok: false,
      issues: [{ message: 'No *.yaml files in the config directory' }],
    });
  });
});

describe('formatPath', () => {
  it('prints indexes in brackets and odd keys quoted', () => {
    expect(formatPath(['pipelines', 1, 'stages', 3, 'code'])).toBe('pipelines[1].stages[3].code');
    expect(formatPath(['flags', 'a b'])).toBe('flags["a b"]');
    expect(formatPath([])).toBe('');
  });
});
