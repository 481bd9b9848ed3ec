import { describe, expect, it } from 'vitest';
import { detectChanges, eventKey, snapshotOf, trackedFields } from '../../src/automation/detect-changes.js';
import { entityFromItem } from '../../src/automation/entity.js';
import { resolveRules } from '../../src/automation/catalog.js';
import { rulesSectionSchema } from '../../src/automation/rule-schema.js';
import { catalog, DAY, deal, T0 } from './automation-fixtures.js';

const fields = ['assignedById', 'opportunity'];

describe('change detection', () => {
  it('treats records of a first run as a baseline, not as news', () => {
    expect(detectChanges(undefined, deal(), { fields, createdSince: undefined })).toEqual([]);
  });

  it('reports a record created since the checkpoint, and the stage it was created in', () => {
    const d = deal({ createdTime: T0, movedTime: T0 });
    expect(detectChanges(undefined, d, { fields, createdSince: T0 - 1000 })).toEqual([
      { kind: 'created', occurrence: 'created', at: T0 },
      { kind: 'stage_entered', occurrence: `stage:C3:NEW@${T0}`, at: T0, stageId: 'C3:NEW' },
    ]);
    // An old record met for the first time (e.g. a pipeline newly watched) is not "created".
    expect(detectChanges(undefined, d, { fields, createdSince: T0 + 1 })).toEqual([]);
  });

  it('reports a stage change and a changed responsible', () => {
    const before = snapshotOf(deal(), fields);
    const now = deal({
      stageId: 'C3:QUALIFIED',
      movedTime: T0 + DAY,
      assignedById: 10,
      updatedTime: T0 + DAY + 5,
      fields: { assignedById: 10 },
    });
    const events = detectChanges(before, now, { fields, createdSince: T0 });
    expect(events.map((e) => e.kind)).toEqual(['stage_entered', 'field_changed']);
    expect(events[0]).toMatchObject({
      stageId: 'C3:QUALIFIED',
      occurrence: `stage:C3:QUALIFIED@${T0 + DAY}`,
    });
    expect(events[1]).toMatchObject({ field: 'assignedById', from: 9, to: 10, at: T0 + DAY + 5 });
    expect(events[1]!.occurrence).toMatch(new RegExp(`^field:assignedById=[0-9a-f]{10}@${T0 + DAY + 5}$`));
  });

  it('sees a move away and back between two runs as entering the stage again', () => {
    const before = snapshotOf(deal({ stageId: 'C3:QUALIFIED', movedTime: T0 }), fields);
    const back = deal({ stageId: 'C3:QUALIFIED', movedTime: T0 + 3 * DAY, updatedTime: T0 + 3 * DAY });
    expect(detectChanges(before, back, { fields, createdSince: T0 })).toEqual([
      {
        kind: 'stage_entered',
        occurrence: `stage:C3:QUALIFIED@${T0 + 3 * DAY}`,
        at: T0 + 3 * DAY,
        stageId: 'C3:QUALIFIED',
      },
    ]);
  });

  it('ignores spelling differences and fields it has no earlier value for', () => {
    const before = snapshotOf(deal({ fields: { opportunity: '50000.00', assignedById: '9' } }), [
      'assignedById',
    ]);
    const now = deal({
      fields: { opportunity: 50000, assignedById: 9, UF_CRM_NEW: 'x' },
      updatedTime: T0 + 1,
    });
    expect(detectChanges(before, now, { fields: [...fields, 'UF_CRM_NEW'], createdSince: T0 })).toEqual([]);
    // Nothing changed at all: nothing to report.
    expect(detectChanges(snapshotOf(now, fields), now, { fields, createdSince: T0 })).toEqual([]);
  });

  it('keys events by record and occurrence, so a re-listed change is the same event', () => {
    const d = deal();
    const [created] = detectChanges(undefined, d, { fields, createdSince: T0 });
    expect(eventKey(d, created!)).toBe('2:15|created');
  });

  it('tracks the responsible and every field a rule watches', () => {
    const rules = rulesSectionSchema.parse([
      {
        id: 'a',
        entity: { pipeline: 'sales' },
        trigger: { type: 'field_changed', field: 'UF_CRM_PAID' },
        actions: [{ type: 'comment', text: 'x' }],
      },
      {
        id: 'b',
        entity: { smartProcess: 'lab' },
        trigger: { type: 'field_changed', field: 'closedate' },
        actions: [{ type: 'comment', text: 'x' }],
      },
    ]);
    const { rules: resolved } = resolveRules(rules, catalog);
    expect(trackedFields(resolved, 2)).toEqual(['UF_CRM_PAID', 'assignedById']);
    expect(trackedFields(resolved, 1036)).toEqual(['assignedById', 'closedate']);
  });

  it('normalises a crm.item.list row', () => {
    const e = entityFromItem(2, {
      id: 15,
      title: 'Экспертиза',
      categoryId: 3,
      stageId: 'C3:NEW',
      assignedById: 7,
      observers: [9, '10'],
      createdTime: '2025-03-03T09:00:00+03:00',
      updatedTime: '2025-03-03T10:00:00+03:00',
      movedTime: null,
      UF_CRM_PAID: '100|RUB',
    });
    expect(e).toMatchObject({
      entityTypeId: 2,
      id: 15,
      categoryId: 3,
      assignedById: 7,
      observers: [9, 10],
      createdTime: T0,
      updatedTime: T0 + 3_600_000,
      movedTime: null,
    });
    expect(e.fields.UF_CRM_PAID).toBe('100|RUB');
  });
});
