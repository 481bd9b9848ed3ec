import { describe, expect, it } from 'vitest';
import { buildPhpQuery, compactArrays, setPhpKey } from '../../src/rest/php-query.js';
import { parsePhpQuery } from '../../src/emulator/protocol/php-params.js';

describe('PHP-style query strings', () => {
  it('encodes nested keys like http_build_query', () => {
    expect(
      buildPhpQuery({ filter: { '>ID': 5 }, select: ['ID', 'TITLE'], order: { ID: 'ASC' }, start: -1 }),
    ).toBe('filter%5B%3EID%5D=5&select%5B0%5D=ID&select%5B1%5D=TITLE&order%5BID%5D=ASC&start=-1');
    expect(buildPhpQuery({ a: null, b: undefined, c: [], d: {}, e: true, f: false })).toBe('e=1&f=0');
    expect(buildPhpQuery({ fields: { TITLE: 'A&B = 100%' } })).toBe('fields%5BTITLE%5D=A%26B%20%3D%20100%25');
  });

  it('round-trips through the portal parser (Cyrillic, references, deep arrays)', () => {
    const params = {
      fields: { TITLE: 'Сделка №1', PHONE: [{ VALUE: '+7 (999) 000', VALUE_TYPE: 'WORK' }] },
      filter: { '>ID': '$result[c0][49][ID]', '@STAGE_ID': ['NEW', 'C1:NEW'] },
    };
    expect(parsePhpQuery(buildPhpQuery(params))).toEqual(params);
  });

  it('sets PHP keys and compacts 0..n-1 maps into arrays', () => {
    const p: Record<string, unknown> = {};
    setPhpKey(p, 'filter[>ID]', '5');
    setPhpKey(p, 'select[]', 'ID');
    setPhpKey(p, 'select[]', 'TITLE');
    setPhpKey(p, 'fields[PHONE][0][VALUE]', '1');
    setPhpKey(p, 'id', '7');
    expect(compactArrays(p)).toEqual({
      filter: { '>ID': '5' },
      select: ['ID', 'TITLE'],
      fields: { PHONE: [{ VALUE: '1' }] },
      id: '7',
    });
  });
});
