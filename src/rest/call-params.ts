/**
 * Parameters of `b24lab call <method> [params...]`, the admin's raw tool (like `gh api`):
 *   - one JSON object:            '{"filter":{">ID":5},"select":["ID","TITLE"]}'
 *   - PHP-style key=value pairs:  'filter[>ID]=5' 'select[]=ID' 'select[]=TITLE'   (values are text, as
 *                                 in a Bitrix24 query string)
 *   - key:=JSON for typed values: 'fields[OPPORTUNITY]:=1500' 'fields[CONTACT_IDS]:=[3,4]'
 * Worked example: ['id=5', 'fields[TITLE]=Новая', 'fields[OPPORTUNITY]:=100']
 *   -> { id: '5', fields: { TITLE: 'Новая', OPPORTUNITY: 100 } }
 */
import { UserError } from '../errors.js';
import { compactArrays, setPhpKey } from './php-query.js';

const EXAMPLE = "b24lab call crm.deal.list 'filter[STAGE_ID]=NEW' 'select[]=ID' 'select[]=TITLE'";

export function parseCallParams(args: string[]): Record<string, unknown> {
  if (args.length === 1 && /^\s*[{[]/.test(args[0] ?? '')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(args[0] ?? '');
    } catch (e) {
      throw new UserError(
        `The parameters are not valid JSON: ${(e as Error).message}.`,
        `Or pass key=value pairs: ${EXAMPLE}`,
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new UserError(
        'The JSON parameters must be an object.',
        `Example: b24lab call crm.deal.get '{"id":5}'`,
      );
    }
    return parsed as Record<string, unknown>;
  }
  const params: Record<string, unknown> = {};
  for (const arg of args) {
    const eq = splitAt(arg);
    if (eq <= 0) throw new UserError(`"${arg}" is not a key=value pair.`, `Example: ${EXAMPLE}`);
    const typed = arg[eq - 1] === ':';
    const key = arg.slice(0, typed ? eq - 1 : eq);
    const text = arg.slice(eq + 1);
    if (!typed) {
      setPhpKey(params, key, text);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new UserError(
        `"${arg}": the value after := must be JSON.`,
        "Example: 'fields[OPPORTUNITY]:=1500'",
      );
    }
    setPhpKey(params, key, value);
  }
  return compactArrays(params) as Record<string, unknown>;
}

/** The first `=` outside brackets: `filter[>=ID]=5` splits after `]`. -1 when there is none. */
function splitAt(arg: string): number {
  let depth = 0;
  for (let i = 0; i < arg.length; i++) {
    const c = arg[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === '=' && depth === 0) return i;
  }
  return -1;
}
