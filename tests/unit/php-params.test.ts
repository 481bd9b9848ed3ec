import { describe, expect, it } from 'vitest';
import { buildPhpQuery, parsePhpQuery } from '../../src/emulator/protocol/php-params.js';

describe('parsePhpQuery (PHP parse_str semantics)', () => {
  it('nests bracketed keys and appends []', () => {
    expect(parsePhpQuery('filter[>ID]=5&select[]=ID&select[]=TITLE&fields[PHONE][0][VALUE]=112233')).toEqual({
      filter: { '>ID': '5' },
      select: ['ID', 'TITLE'],
      fields: { PHONE: [{ VALUE: '112233' }] },
    });
  });

  it('keeps sparse numeric keys instead of compacting them', () => {
    expect(parsePhpQuery('cmd[7]=a&cmd[9]=b')).toEqual({ cmd: { '7': 'a', '9': 'b' } });
  });

  it('decodes values once, so a batch command keeps its own encoded query', () => {
    const parsed = parsePhpQuery('cmd[a]=crm.deal.list%3Ffilter%255B%253EID%255D%3D5');
    expect(parsed).toEqual({ cmd: { a: 'crm.deal.list?filter%5B%3EID%5D=5' } });
  });

  it('reads + as a space and tolerates broken escapes and keys without a closing bracket', () => {
    expect(parsePhpQuery('a=x+y&b=%E0%A4%A&c[d=1')).toEqual({ a: 'x y', b: '%E0%A4%A', c_d: '1' });
  });

  it('round-trips what buildPhpQuery writes', () => {
    const value = {
      filter: { '>=DATE': '2024-01-01', '@ID': ['1', '2'] },
      order: { ID: 'ASC' },
      start: '-1',
    };
    expect(parsePhpQuery(buildPhpQuery(value))).toEqual(value);
  });
});
