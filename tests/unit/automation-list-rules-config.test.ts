import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigFiles } from '../../src/config/load-config.js';

const lists = readFileSync('config/lists.yaml', 'utf8');

function load(rules: string) {
  return parseConfigFiles([
    { name: 'lists.yaml', text: lists },
    { name: 'automation.yaml', text: `automation:\n  rules:\n${rules}` },
  ]);
}

describe('rules on list elements in the config', () => {
  it('accepts the list entity, list fields, set_related through a crm field', () => {
    const result = load(`
    - id: ok
      entity: { list: contracts }
      trigger: { type: field_changed, field: STATUS }
      conditions: [{ field: STATUS, value: REJECTED }, { field: DEAL_ID, op: not_empty }]
      actions:
        - { type: set_fields, fields: { APPROVER: '{{MODIFIED_BY}}', APPROVAL_DATE: '{{today}}' } }
        - { type: set_related, via: DEAL, fields: { CONTRACT_STATUS: REJECTED } }
`);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it('reports an unknown list, unknown fields, stages, and a via that is no crm field, all at once', () => {
    const result = load(`
    - id: no-list
      entity: { list: invoices }
      trigger: { type: created }
      actions: [{ type: notify, to: [responsible], message: x }]
    - id: bad-fields
      entity: { list: contracts }
      trigger: { type: field_changed, field: STATE }
      conditions: [{ field: SUM, op: '>', value: 1 }]
      actions:
        - { type: set_fields, fields: { STATUS_TEXT: x } }
        - { type: set_related, via: AMOUNT, fields: { CONTRACT_STATUS: APPROVED } }
        - { type: move_stage, stage: WON }
    - id: stage
      entity: { list: contracts }
      trigger: { type: stage_entered, stage: NEW }
      actions: [{ type: notify, to: [head], message: x }]
    - id: timed
      entity: { list: contracts }
      trigger: { type: date_passed, field: APPROVAL_DATE }
      actions: [{ type: notify, to: [head], message: x }]
`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.path, i.message.replace(/;.*$/, '')])).toEqual([
      ['automation.rules[0].entity.list', 'Unknown list "invoices"'],
      ['automation.rules[1].trigger.field', 'No field "STATE" in list "contracts"'],
      ['automation.rules[1].conditions[0].field', 'No field "SUM" in list "contracts"'],
      [
        'automation.rules[1].actions[0].fields.STATUS_TEXT',
        'No field "STATUS_TEXT" in list "contracts" to set',
      ],
      ['automation.rules[1].actions[1].via', '"AMOUNT" is not a crm field of list "contracts"'],
      [
        'automation.rules[1].actions[2].type',
        'A list has no stages: move_stage cannot run on list "contracts"',
      ],
      [
        'automation.rules[2].trigger.type',
        'A list has no stages: stage_entered cannot fire on list "contracts"',
      ],
      ['automation.rules[3].trigger.type', 'date_passed is not run on list elements (list "contracts")'],
    ]);
  });

  it('the shipped config loads with the process 2 rules', () => {
    const files = [
      'lists.yaml',
      'automation.yaml',
      'deal-fields.yaml',
      'pipelines.yaml',
      'smart-processes.yaml',
      'departments.yaml',
    ];
    const result = parseConfigFiles(
      files.map((name) => ({ name, text: readFileSync(`config/${name}`, 'utf8') })),
    );
    expect(result.ok ? [] : result.issues).toEqual([]);
    if (!result.ok) return;
    const ids = result.config.automation?.rules.filter((r) => 'list' in r.entity).map((r) => r.id);
    expect(ids).toEqual(['contract-approval-request', 'contract-approved', 'contract-rejected']);
  });
});
