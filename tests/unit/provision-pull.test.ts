import { describe, expect, it } from 'vitest';
import { parseConfigFiles } from '../../src/config/load-config.js';
import { computePlan } from '../../src/provision/compute-plan.js';
import { configFromSnapshot, pulledFiles, slugify } from '../../src/provision/pull-config.js';
import { config, provisioned, shipped } from './provision-fixtures.js';

function roundTrip(files: { name: string; text: string }[]) {
  const result = parseConfigFiles(files);
  if (!result.ok) throw new Error(JSON.stringify(result.issues, null, 2));
  return result.config;
}

describe('pull', () => {
  it('writes config files that plan to no changes against the same portal', () => {
    const portal = provisioned(shipped());
    const files = pulledFiles(configFromSnapshot(portal), 'https://lab.example.ru');
    expect(files.map((f) => f.name)).toEqual([
      'departments.yaml',
      'pipelines.yaml',
      'deal-fields.yaml',
      'smart-processes.yaml',
      'lists.yaml',
    ]);
    for (const f of files)
      expect(f.text.split('\n')[0]).toBe('# yaml-language-server: $schema=./schema.json');
    const pulled = roundTrip(files);
    const plan = computePlan(pulled, portal);
    expect(plan.operations.filter((o) => o.action !== 'noop')).toEqual([]);
    expect(plan.operations.length).toBeGreaterThan(60);
  });

  it('keeps the keys stored on the portal and the Russian names, stages as one-line maps', () => {
    const portal = provisioned(shipped());
    const files = pulledFiles(configFromSnapshot(portal), 'https://lab.example.ru');
    const pipelines = files.find((f) => f.name === 'pipelines.yaml')!.text;
    expect(pipelines).toContain('  - key: sales\n    name: Продажи\n');
    expect(pipelines).toContain(
      '      - { code: QUALIFIED, name: Квалификация пройдена, semantics: process, color: "#2FC6F6" }',
    );
    const pulled = roundTrip(files);
    expect(pulled.smartProcesses?.[0]).toMatchObject({
      key: 'laboratory',
      relations: { parents: [{ entity: 'deal', childrenList: true }] },
      flags: expect.objectContaining({ isObserversEnabled: true }),
    });
    expect(pulled.departments?.find((d) => d.name === 'ГТИ')).toMatchObject({
      key: 'gti',
      parent: 'laboratoriya',
      head: 'gti.head@sfo-nal.example',
    });
  });

  it('makes keys from names for entities that have none; the next plan only stores them', () => {
    const portal = provisioned(
      config(`
pipelines:
  - key: sales
    name: Продажи услуг
    stages:
      - { code: NEW, name: Новая }
      - { code: WON, name: Успех, semantics: success }
      - { code: LOSE, name: Провал, semantics: failure }
`),
    );
    portal.pipelines[1]!.key = '';
    const pulled = roundTrip(pulledFiles(configFromSnapshot(portal), 'x'));
    expect(pulled.pipelines?.[0]?.key).toBe('prodazhi-uslug');
    const plan = computePlan(pulled, portal);
    expect(plan.operations.filter((o) => o.action !== 'noop')).toEqual([
      expect.objectContaining({
        action: 'update',
        address: 'pipeline:prodazhi-uslug',
        changes: [{ field: 'key', from: '', to: 'prodazhi-uslug', drift: false }],
      }),
    ]);
  });

  it('slugify transliterates Russian and falls back when nothing is left', () => {
    expect(slugify('Аналитическая группа', 'x')).toBe('analiticheskaya-gruppa');
    expect(slugify('Отдел продаж №2', 'x')).toBe('otdel-prodazh-2');
    expect(slugify('ГТИ', 'x')).toBe('gti');
    expect(slugify('***', 'department-7')).toBe('department-7');
  });
});
