import { describe, expect, it } from 'vitest';
import { authorizeDownload, dispositionName } from '../../src/rest/download-url.js';
import { B24Error } from '../../src/rest/errors.js';

const origin = 'https://lab.bitrix24.ru';
const hook = { kind: 'webhook' as const, origin, webhookBase: `${origin}/rest/7/s3cr3t/` };
const app = { kind: 'oauth' as const, origin, accessToken: 'NEW' };

describe('authorizeDownload', () => {
  it('puts a webhook link under the webhook endpoint, leaves one already there', () => {
    expect(authorizeDownload(`${origin}/rest/download.json?token=crm%7C1%7Cx`, hook)).toBe(
      `${origin}/rest/7/s3cr3t/download.json?token=crm%7C1%7Cx`,
    );
    expect(authorizeDownload('/rest/download.json?auth=OLD&token=T', hook)).toBe(
      `${origin}/rest/7/s3cr3t/download.json?token=T`,
    );
    const own = `${origin}/rest/7/s3cr3t/download/?token=disk%7CabC`;
    expect(authorizeDownload(own, hook)).toBe(own);
  });

  it('gives an application link the current access token', () => {
    expect(authorizeDownload(`${origin}/rest/download.json?auth=OLD&token=T`, app)).toBe(
      `${origin}/rest/download.json?auth=NEW&token=T`,
    );
    expect(authorizeDownload('/rest/crm.controller.item.getFile.json?token=T', app)).toBe(
      `${origin}/rest/crm.controller.item.getFile.json?token=T&auth=NEW`,
    );
  });

  it('sends other portal links as they are and refuses other hosts without quoting the link', () => {
    const drive = `${origin}/b24lab/files/3?token=abc`;
    expect(authorizeDownload(drive, hook)).toBe(drive);
    expect(() => authorizeDownload('https://evil.example/rest/download.json?token=SECRET', hook)).toThrow(
      B24Error,
    );
    try {
      authorizeDownload('https://evil.example/rest/download.json?token=SECRET', app);
    } catch (e) {
      expect((e as B24Error).description).toBe(
        'the download link points to evil.example, not to the portal: not sent',
      );
    }
    expect(() => authorizeDownload('ftp://lab.bitrix24.ru/x', hook)).toThrow(/not http/);
  });
});

describe('dispositionName', () => {
  it('reads RFC 5987 names first, then plain ones', () => {
    expect(dispositionName("attachment; filename*=UTF-8''%D0%A2%D0%97.pdf")).toBe('ТЗ.pdf');
    expect(dispositionName('attachment; filename="act 1.docx"')).toBe('act 1.docx');
    expect(dispositionName('attachment; filename=plain.txt')).toBe('plain.txt');
    expect(dispositionName('inline')).toBeUndefined();
    expect(dispositionName(undefined)).toBeUndefined();
  });
});
