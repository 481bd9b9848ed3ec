import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { parseCallParams } from '../../src/rest/call-params.js';

describe('b24lab call parameters', () => {
  it('reads PHP-style pairs into nested params, with := for JSON values', () => {
    expect(
      parseCallParams([
        'id=5',
        'fields[TITLE]=Новая сделка',
        'fields[OPPORTUNITY]:=100',
        'fields[CONTACT_IDS]:=[3,4]',
      ]),
    ).toEqual({
      id: '5',
      fields: { TITLE: 'Новая сделка', OPPORTUNITY: 100, CONTACT_IDS: [3, 4] },
    });
    expect(
      parseCallParams(['filter[>=ID]=5', 'filter[!STAGE_ID]=WON', 'select[]=ID', 'select[]=TITLE']),
    ).toEqual({
      filter: { '>=ID': '5', '!STAGE_ID': 'WON' },
      select: ['ID', 'TITLE'],
    });
    expect(parseCallParams(['NAME=a=b'])).toEqual({ NAME: 'a=b' });
    expect(parseCallParams([])).toEqual({});
  });

  it('reads one JSON object', () => {
    expect(parseCallParams(['{"filter":{">ID":5},"select":["ID"]}'])).toEqual({
      filter: { '>ID': 5 },
      select: ['ID'],
    });
  });

  it('refuses what it cannot read, with an example', () => {
    expect(() => parseCallParams(['nothing'])).toThrow(UserError);
    expect(() => parseCallParams(['=5'])).toThrow(/key=value/);
    expect(() => parseCallParams(['{bad json'])).toThrow(/not valid JSON/);
    expect(() => parseCallParams(['[1,2]'])).toThrow(/must be an object/);
    expect(() => parseCallParams(['a:=nope'])).toThrow(/must be JSON/);
  });
});
