import { describe, expect, it } from 'vitest';
import {
  evaluateExpression,
  ExpressionError,
  fieldsOf,
  numberOf,
} from '../../src/automation/compute-expression.js';
import { ruleSchema } from '../../src/automation/rule-schema.js';

const fields =
  (values: Record<string, unknown>) =>
  (name: string): unknown =>
    values[name];

describe('compute_fields expressions (process 4: remaining amount)', () => {
  it('subtracts the paid sum from the amount, money fields with a currency included', () => {
    const look = fields({ opportunity: 1500, PAID_AMOUNT: '400.25|RUB' });
    expect(evaluateExpression('opportunity - PAID_AMOUNT', look)).toBe(1099.75);
    expect(evaluateExpression('max(opportunity - PAID_AMOUNT, 0)', look)).toBe(1099.75);
  });

  it('counts empty fields as 0 and clamps with max', () => {
    expect(evaluateExpression('opportunity - PAID_AMOUNT', fields({ opportunity: 800 }))).toBe(800);
    expect(evaluateExpression('max(opportunity - PAID_AMOUNT, 0)', fields({ PAID_AMOUNT: 50 }))).toBe(0);
  });

  it('follows precedence, parentheses, unary minus, min and round', () => {
    const none = fields({});
    expect(evaluateExpression('2 + 3 * 4', none)).toBe(14);
    expect(evaluateExpression('(2 + 3) * 4', none)).toBe(20);
    expect(evaluateExpression('-2 + 10 / 4', none)).toBe(0.5);
    expect(evaluateExpression('min(7, 3, 5)', none)).toBe(3);
    expect(evaluateExpression('round(10 / 3)', none)).toBe(3.33);
  });

  it('lists the fields an expression reads, not its functions', () => {
    expect(fieldsOf('max(opportunity - PAID_AMOUNT, 0)')).toEqual(['opportunity', 'PAID_AMOUNT']);
  });

  it('reads numbers from field values', () => {
    expect(numberOf(null)).toBe(0);
    expect(numberOf('12.5|USD')).toBe(12.5);
    expect(numberOf(true)).toBe(1);
    expect(numberOf('abc')).toBeNaN();
  });

  it('rejects what is not an expression', () => {
    expect(() => evaluateExpression('opportunity -', fields({}))).toThrow(ExpressionError);
    expect(() => evaluateExpression('1 2', fields({}))).toThrow(/unexpected "2"/);
    expect(() => evaluateExpression('sqrt(4)', fields({}))).toThrow(/unknown function "sqrt"/);
    expect(() => evaluateExpression('a % b', fields({}))).toThrow(/unexpected "%"/);
  });

  it('makes a bad expression a config error with its path', () => {
    const parsed = ruleSchema.safeParse({
      id: 'r',
      entity: { pipeline: 'sales' },
      trigger: { type: 'created' },
      actions: [{ type: 'compute_fields', fields: { REMAINING_AMOUNT: 'opportunity - ' } }],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ['actions', 0, 'fields', 'REMAINING_AMOUNT'],
      message: expect.stringMatching(/^not an expression: /),
    });
  });
});
