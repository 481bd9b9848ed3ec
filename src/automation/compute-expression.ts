/**
 * Arithmetic over a record's fields for the `compute_fields` action (case study, process 4 «Расчет
 * остатка суммы»: remaining = amount - paid). Pure: the field values come from `lookup`.
 *
 * Grammar: numbers, field names (`opportunity`, `PAID_AMOUNT`, `UF_CRM_...`), + - * /, parentheses,
 * unary minus, and the functions max(a, b, ...), min(a, b, ...), round(a). An empty field counts as 0
 * (a deal nobody has paid yet has paid 0). Money fields come as "1500.50" or "1500.50|RUB": the
 * number before "|" is taken.
 *
 * Worked example: 'max(opportunity - PAID_AMOUNT, 0)' with opportunity 1500, PAID_AMOUNT "400|RUB"
 * -> 1100.
 */

export type FieldLookup = (name: string) => unknown;

type Token = { kind: 'num'; value: number } | { kind: 'name'; value: string } | { kind: 'op'; value: string };

export class ExpressionError extends Error {}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([-+*/(),]))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new ExpressionError(`unexpected "${text.slice(at).trim()[0] ?? ''}" at ${at + 1}`);
    if (m[1] !== undefined) tokens.push({ kind: 'num', value: Number(m[1]) });
    else if (m[2] !== undefined) tokens.push({ kind: 'name', value: m[2] });
    else tokens.push({ kind: 'op', value: m[3]! });
    at = re.lastIndex;
  }
  return tokens;
}

/** A field's value as a number: empty -> 0, "1500.5|RUB" -> 1500.5, anything else non-numeric -> NaN. */
export function numberOf(value: unknown): number {
  if (value === undefined || value === null || value === '') return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const text = String(value).split('|')[0]!.trim();
  return text === '' ? 0 : Number(text);
}

const FUNCTIONS: Record<string, (args: number[]) => number> = {
  max: (a) => Math.max(...a),
  min: (a) => Math.min(...a),
  round: (a) => Math.round((a[0] ?? 0) * 100) / 100,
};

/** The field names an expression reads (for the config check and the dry run). */
export function fieldsOf(expression: string): string[] {
  return [
    ...new Set(
      tokenize(expression)
        .filter((t, i, all) => t.kind === 'name' && !(all[i + 1]?.value === '(' && t.value in FUNCTIONS))
        .map((t) => String(t.value)),
    ),
  ];
}

/** Throws ExpressionError when the text is not an expression. */
export function checkExpression(expression: string): void {
  evaluateExpression(expression, () => 0);
}

/** The expression's value rounded to 2 decimals (kopecks); throws ExpressionError on bad syntax. */
export function evaluateExpression(expression: string, lookup: FieldLookup): number {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const expect = (op: string): void => {
    const t = tokens[pos++];
    if (t?.kind !== 'op' || t.value !== op) throw new ExpressionError(`expected "${op}"`);
  };
  const primary = (): number => {
    const t = tokens[pos++];
    if (!t) throw new ExpressionError('unexpected end of expression');
    if (t.kind === 'num') return t.value;
    if (t.kind === 'op' && t.value === '(') {
      const v = sum();
      expect(')');
      return v;
    }
    if (t.kind === 'op' && t.value === '-') return -primary();
    if (t.kind === 'name') {
      const next = peek();
      if (next?.kind === 'op' && next.value === '(') {
        const fn = FUNCTIONS[t.value];
        if (!fn) throw new ExpressionError(`unknown function "${t.value}"`);
        pos++;
        const args = [sum()];
        while (peek()?.value === ',') {
          pos++;
          args.push(sum());
        }
        expect(')');
        return fn(args);
      }
      return numberOf(lookup(t.value));
    }
    throw new ExpressionError(`unexpected "${String(t.value)}"`);
  };
  const product = (): number => {
    let v = primary();
    while (peek()?.value === '*' || peek()?.value === '/') {
      const op = tokens[pos++]!.value;
      const r = primary();
      v = op === '*' ? v * r : v / r;
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (peek()?.value === '+' || peek()?.value === '-') {
      const op = tokens[pos++]!.value;
      const r = product();
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const value = sum();
  if (pos < tokens.length) throw new ExpressionError(`unexpected "${String(tokens[pos]!.value)}"`);
  return Math.round(value * 100) / 100;
}
