/**
 * Where a file download goes and with which credentials (pure: the client sends it).
 *
 * A portal hands out download links that are REST "special URLs" (files/how-to-download-files.md:
 * `urlMachine` of a crm file field, `DOWNLOAD_URL` of a Drive file). The portal builds them for the
 * caller (CRestUtil::getSpecialUrl): for a webhook the webhook's own endpoint,
 * `https://PORTAL/rest/1/SECRET/download/?token=...`; for an application `/rest/download.json?auth=
 * ACCESS_TOKEN&token=...`. The embedded access token lives an hour, and a link may come relative or
 * without credentials, so the client applies its own auth to every link under `/rest/`:
 *   webhook  /rest/download.json?token=T          -> /rest/1/SECRET/download.json?token=T
 *            /rest/1/SECRET/download/?token=T     -> unchanged
 *   OAuth    /rest/download.json?auth=OLD&token=T -> /rest/download.json?auth=CURRENT&token=T
 * Links elsewhere on the portal (a Drive file's own link) are sent as they are. Credentials never go
 * to another host: a link off the portal is refused.
 */
import { B24Error, LOCAL_CODES } from './errors.js';

export interface DownloadAuth {
  kind: 'webhook' | 'oauth';
  /** The portal's origin, `https://example.bitrix24.ru`. */
  origin: string;
  /** Webhook: its base URL `https://PORTAL/rest/1/SECRET/`. */
  webhookBase?: string;
  /** OAuth: the current access token. */
  accessToken?: string;
}

export const DOWNLOAD_METHOD = 'download';

/** The absolute URL to GET, with the caller's credentials applied. */
export function authorizeDownload(link: string, auth: DownloadAuth): string {
  let url: URL;
  try {
    url = new URL(link, `${auth.origin}/`);
  } catch {
    throw usage('the download link is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw usage('the download link is not http(s)');
  if (url.origin !== auth.origin) {
    // The host is safe to name; the link's query may hold someone's token.
    throw usage(`the download link points to ${url.host}, not to the portal: not sent`);
  }
  const rest = /^\/rest\/(.*)$/.exec(url.pathname);
  if (!rest) return url.toString();
  if (auth.kind === 'webhook') {
    if (/^\d+\/[^/]+\/./.test(rest[1] ?? '') || !auth.webhookBase) return url.toString();
    const base = new URL(auth.webhookBase);
    url.pathname = `${base.pathname.replace(/\/*$/, '/')}${rest[1] ?? ''}`;
    url.searchParams.delete('auth');
    return url.toString();
  }
  if (auth.accessToken) url.searchParams.set('auth', auth.accessToken);
  return url.toString();
}

function usage(description: string): B24Error {
  return new B24Error({
    method: DOWNLOAD_METHOD,
    code: LOCAL_CODES.usage,
    description,
    httpStatus: 0,
    retryable: false,
  });
}

/**
 * The file name of a `Content-Disposition` header: RFC 5987 `filename*=UTF-8''...` first, then a plain
 * `filename="..."`. Example: `attachment; filename*=UTF-8''%D0%A2%D0%97.pdf` -> `ТЗ.pdf`.
 */
export function dispositionName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (star?.[2]) {
    try {
      return decodeURIComponent(star[2].trim().replace(/^"|"$/g, ''));
    } catch {
      // a malformed encoding: fall back to the plain name
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(header);
  const name = (plain?.[2] ?? plain?.[1])?.trim();
  return name ? name : undefined;
}
