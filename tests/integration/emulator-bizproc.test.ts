import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import { callOk, portalForTest, rawCall } from '../helpers/local-portal.js';

/** 2025-03-10 10:00:00 Moscow. */
const T0 = Date.parse('2025-03-10T07:00:00Z');
const frozen: Clock = { now: () => T0, sleep: async () => {} };

let lab: LocalPortal;
let hook: string;

beforeAll(async () => {
  lab = await portalForTest({ clock: frozen });
  hook = lab.webhookUrl;
});
afterAll(async () => {
  await lab.close();
});

describe('bizproc.workflow.instances', () => {
  it.each(['json', 'form'] as const)('%s: a fresh portal runs no workflows', async (encoding) => {
    const answer = await rawCall(hook, 'bizproc.workflow.instances', {}, encoding);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ result: [], total: 0 });
    expect(answer.body).not.toHaveProperty('next');
  });

  it('answers a non-administrator with 403 ACCESS_DENIED', async () => {
    const userId = await callOk(hook, 'user.add', { EMAIL: 'clerk@b24lab.local', UF_DEPARTMENT: [1] });
    const token = await callOk(hook, 'b24lab.oauth.issue', { userId });
    expect(
      await rawCall(`${lab.url}/rest/`, 'bizproc.workflow.instances', { auth: token.access_token }),
    ).toEqual({
      status: 403,
      body: { error: 'ACCESS_DENIED', error_description: 'Access denied!' },
    });
  });

  describe('with planted instances', () => {
    let stuck: Record<string, string>;
    let healthy: Record<string, string>;

    beforeAll(async () => {
      stuck = await callOk(hook, 'b24lab.bizproc.instances.add', {
        fields: {
          DOCUMENT_ID: 'DEAL_12',
          TEMPLATE_ID: 212,
          STARTED: '2025-03-01T09:00:00+03:00',
          MODIFIED: '2025-03-01T09:05:00+03:00',
          OWNED_UNTIL: '2025-03-01T09:10:00+03:00',
        },
      });
      await callOk(hook, 'b24lab.clock.advance', { hours: 1 });
      healthy = await callOk(
        hook,
        'b24lab.bizproc.instances.add',
        { MODULE_ID: 'lists', ENTITY: 'BizprocDocument', DOCUMENT_ID: '57', STARTED_BY: 0 },
        'form',
      );
    });

    it('plants instances shaped as the method prints them', () => {
      expect(stuck).toEqual({
        ID: expect.stringMatching(/^[0-9a-f]{13}\.\d{8}$/),
        MODIFIED: '2025-03-01T09:05:00+03:00',
        OWNED_UNTIL: '2025-03-01T09:10:00+03:00',
        MODULE_ID: 'crm',
        ENTITY: 'CCrmDocumentDeal',
        DOCUMENT_ID: 'DEAL_12',
        STARTED: '2025-03-01T09:00:00+03:00',
        STARTED_BY: '1',
        TEMPLATE_ID: '212',
      });
      expect(healthy).toMatchObject({
        MODIFIED: '2025-03-10T11:00:00+03:00',
        OWNED_UNTIL: null,
        MODULE_ID: 'lists',
        STARTED_BY: '0',
      });
    });

    it.each(['json', 'form'] as const)('%s: default select and order (MODIFIED desc)', async (encoding) => {
      const answer = await rawCall(hook, 'bizproc.workflow.instances', {}, encoding);
      expect(answer.body.total).toBe(2);
      expect(answer.body.result).toEqual([
        { ID: healthy.ID, MODIFIED: healthy.MODIFIED, OWNED_UNTIL: null },
        { ID: stuck.ID, MODIFIED: stuck.MODIFIED, OWNED_UNTIL: stuck.OWNED_UNTIL },
      ]);
    });

    it.each(['json', 'form'] as const)('%s: select, filter with prefixes, order', async (encoding) => {
      const result = await callOk(
        hook,
        'bizproc.workflow.instances',
        {
          select: ['ID', 'DOCUMENT_ID', 'STARTED_BY', 'TEMPLATE_ID'],
          filter: { '>STARTED_BY': 0, '<OWNED_UNTIL': '2025-03-10T10:00:00+03:00' },
          order: { STARTED: 'ASC' },
        },
        encoding,
      );
      expect(result).toEqual([{ ID: stuck.ID, DOCUMENT_ID: 'DEAL_12', STARTED_BY: '1', TEMPLATE_ID: '212' }]);
      const byModule = await callOk(
        hook,
        'bizproc.workflow.instance.list',
        { SELECT: ['ID'], FILTER: { MODULE_ID: 'lists' } },
        encoding,
      );
      expect(byModule).toEqual([{ ID: healthy.ID }]);
    });

    it('pages by 50', async () => {
      const cmd: Record<string, string> = {};
      for (let i = 0; i < 49; i++) cmd[`w${i}`] = `b24lab.bizproc.instances.add?DOCUMENT_ID=DEAL_${100 + i}`;
      await callOk(hook, 'batch', { halt: 1, cmd });
      const first = await rawCall(hook, 'bizproc.workflow.instances', { select: ['ID'] });
      expect(first.body).toMatchObject({ total: 51, next: 50 });
      const second = await rawCall(hook, 'bizproc.workflow.instances', { select: ['ID'], start: 50 });
      expect(second.body.result).toHaveLength(1);
    });

    it('refuses a planted date that is not a date', async () => {
      expect(await rawCall(hook, 'b24lab.bizproc.instances.add', { OWNED_UNTIL: 'завтра' })).toMatchObject({
        status: 400,
        body: { error: 'ERROR_ARGUMENT', argument: 'OWNED_UNTIL' },
      });
    });
  });
});

describe('bizproc.workflow.terminate', () => {
  const ids = async (): Promise<string[]> =>
    (
      (await callOk(hook, 'bizproc.workflow.instances', {
        select: ['ID'],
        filter: { '%DOCUMENT_ID': 'DEAL_7' },
      })) as { ID: string }[]
    ).map((w) => w.ID);

  it.each(['json', 'form'] as const)(
    '%s: answers true and the instance leaves the list',
    async (encoding) => {
      const planted = await callOk(hook, 'b24lab.bizproc.instances.add', { DOCUMENT_ID: 'DEAL_77' });
      const other = await callOk(hook, 'b24lab.bizproc.instances.add', { DOCUMENT_ID: 'DEAL_78' });
      expect(await ids()).toContain(planted.ID);
      const answer = await rawCall(
        hook,
        'bizproc.workflow.terminate',
        { ID: planted.ID, STATUS: 'Terminated by rest app.' },
        encoding,
      );
      expect(answer).toMatchObject({ status: 200, body: { result: true } });
      const left = await ids();
      expect(left).not.toContain(planted.ID);
      expect(left).toContain(other.ID);
    },
  );

  it('refuses an empty ID and an unknown one with 400 ERROR_WRONG_WORKFLOW_ID', async () => {
    expect(await rawCall(hook, 'bizproc.workflow.terminate', { STATUS: 'x' }, 'form')).toEqual({
      status: 400,
      body: { error: 'ERROR_WRONG_WORKFLOW_ID', error_description: 'Empty workflow instance ID' },
    });
    expect(await rawCall(hook, 'bizproc.workflow.terminate', { ID: '0000000000000.00000000' })).toMatchObject(
      {
        status: 400,
        body: { error: 'ERROR_WRONG_WORKFLOW_ID' },
      },
    );
  });

  it('answers a non-administrator with 403 ACCESS_DENIED and keeps the instance', async () => {
    const planted = await callOk(hook, 'b24lab.bizproc.instances.add', { DOCUMENT_ID: 'DEAL_79' });
    const userId = await callOk(hook, 'user.add', { EMAIL: 'clerk2@b24lab.local', UF_DEPARTMENT: [1] });
    const token = await callOk(hook, 'b24lab.oauth.issue', { userId });
    expect(
      await rawCall(`${lab.url}/rest/`, 'bizproc.workflow.terminate', {
        ID: planted.ID,
        auth: token.access_token,
      }),
    ).toEqual({ status: 403, body: { error: 'ACCESS_DENIED', error_description: 'Access denied!' } });
    expect(await ids()).toContain(planted.ID);
  });
});
