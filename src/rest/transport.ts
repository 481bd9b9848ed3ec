/**
 * HTTP for the REST client: the one file of b24lab that imports axios (STYLE.md §4, §15). It sends a
 * JSON POST (the encoding every peer uses; GET bodies hit 414, reference/peer-clients.md §2.E) over
 * keep-alive sockets and returns the status and the raw text; every failure without an answer becomes a
 * B24Error (errors.ts). Parsing the envelope is the client's job.
 *
 * Redirects are followed by hand: a portal whose domain changed answers 302 with Location and the POST
 * must be repeated as a POST (settings/how-to-call-rest-api/change-domen.md), which axios'
 * redirect follower would turn into a GET.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { AxiosError } from 'axios';
import type { AxiosInstance } from 'axios';
import type { Redactor } from './errors.js';
import { B24Error, LOCAL_CODES, abortedError, networkError } from './errors.js';

export interface HttpAnswer {
  status: number;
  text: string;
  contentType: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  /** Sent as JSON (POST) or as form fields in the query (GET). */
  body?: unknown;
  /** The REST method, for error messages. */
  restMethod: string;
  signal?: AbortSignal;
}

/** A file's bytes as the portal sent them (a GET of a download link). */
export interface HttpFile {
  status: number;
  body: Buffer;
  contentType: string;
  /** The `Content-Disposition` header: the file's name. */
  disposition?: string;
}

export interface Transport {
  request(req: HttpRequest, redact: Redactor): Promise<HttpAnswer>;
  /** GET of a download link, the body as bytes; redirects followed (to wherever the portal sends). */
  download?(url: string, restMethod: string, redact: Redactor, signal?: AbortSignal): Promise<HttpFile>;
  close(): void;
}

export interface TransportOptions {
  /** Per-request timeout; the cloud aborts a request after 60 s (limits.md), so a bit more. */
  timeoutMs?: number;
  userAgent?: string;
  maxSockets?: number;
}

const MAX_REDIRECTS = 3;

export function createTransport(options: TransportOptions = {}): Transport {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 16 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 16 });
  const client: AxiosInstance = axios.create({
    timeout: options.timeoutMs ?? 90_000,
    httpAgent,
    httpsAgent,
    maxRedirects: 0,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxBodyLength: Infinity,
    maxContentLength: Infinity,
    headers: {
      Accept: 'application/json',
      'User-Agent': options.userAgent ?? 'b24lab',
    },
  });

  const failure = (e: unknown, restMethod: string, host: string, redact: Redactor, signal?: AbortSignal) => {
    if (axios.isCancel(e) || (e instanceof AxiosError && e.code === 'ERR_CANCELED') || signal?.aborted) {
      return abortedError(restMethod);
    }
    const err = e as AxiosError & { cause?: { code?: string } };
    let code = err.code ?? err.cause?.code ?? 'ECONNRESET';
    // axios reports its own timeout as ECONNABORTED, and a peer hang-up as ERR_BAD_RESPONSE/ECONNRESET.
    if (code === 'ECONNABORTED' && /timeout/i.test(err.message)) code = 'ETIMEDOUT';
    if (code === 'ERR_BAD_RESPONSE' || /socket hang up/i.test(err.message)) code = 'ECONNRESET';
    // The message may quote the URL, whose query holds the link's token: only the host is named.
    return networkError(restMethod, code, code, host, redact);
  };

  const once = async (req: HttpRequest, url: string, redact: Redactor): Promise<HttpAnswer> => {
    const host = safeHost(url);
    try {
      const response = await client.request<string>({
        method: req.method,
        url,
        ...(req.method === 'POST'
          ? { data: JSON.stringify(req.body ?? {}), headers: { 'Content-Type': 'application/json' } }
          : req.body
            ? { params: req.body }
            : {}),
        ...(req.signal ? { signal: req.signal } : {}),
      });
      const contentType = String(response.headers['content-type'] ?? '');
      if (response.status >= 300 && response.status < 400 && response.headers.location) {
        return { status: response.status, text: String(response.headers.location), contentType: 'redirect' };
      }
      return {
        status: response.status,
        text: typeof response.data === 'string' ? response.data : '',
        contentType,
      };
    } catch (e) {
      if (
        axios.isCancel(e) ||
        (e instanceof AxiosError && e.code === 'ERR_CANCELED') ||
        req.signal?.aborted
      ) {
        throw abortedError(req.restMethod);
      }
      const err = e as AxiosError & { cause?: { code?: string } };
      let code = err.code ?? err.cause?.code ?? 'ECONNRESET';
      // axios reports its own timeout as ECONNABORTED, and a peer hang-up as ERR_BAD_RESPONSE/ECONNRESET.
      if (code === 'ECONNABORTED' && /timeout/i.test(err.message)) code = 'ETIMEDOUT';
      if (code === 'ERR_BAD_RESPONSE' || /socket hang up/i.test(err.message)) code = 'ECONNRESET';
      throw networkError(req.restMethod, code, err.message, host, redact);
    }
  };

  const fetchFile = async (
    url: string,
    restMethod: string,
    redact: Redactor,
    signal?: AbortSignal,
  ): Promise<HttpFile> => {
    let current = url;
    for (let hop = 0; ; hop++) {
      let response;
      try {
        response = await client.request<ArrayBuffer>({
          method: 'GET',
          url: current,
          responseType: 'arraybuffer',
          // Download links want browser-like headers (settings/how-to-call-rest-api/general-principles.md).
          headers: { Accept: '*/*', Referer: `${new URL(current).origin}/` },
          ...(signal ? { signal } : {}),
        });
      } catch (e) {
        throw failure(e, restMethod, safeHost(current), redact, signal);
      }
      const location = response.headers.location as string | undefined;
      if (response.status >= 300 && response.status < 400 && location && hop < MAX_REDIRECTS) {
        current = new URL(location, current).toString();
        continue;
      }
      const disposition = response.headers['content-disposition'] as string | undefined;
      return {
        status: response.status,
        body: Buffer.from(response.data),
        contentType: String(response.headers['content-type'] ?? ''),
        ...(disposition ? { disposition } : {}),
      };
    }
  };

  return {
    download: fetchFile,
    async request(req, redact) {
      let url = req.url;
      for (let hop = 0; ; hop++) {
        const answer = await once(req, url, redact);
        if (answer.contentType !== 'redirect') return answer;
        if (hop >= MAX_REDIRECTS) {
          throw new B24Error({
            method: req.restMethod,
            code: LOCAL_CODES.notJson,
            description: `too many redirects (last to ${redact(answer.text)})`,
            httpStatus: answer.status,
            retryable: false,
            hint: 'The portal moved: put its new address into --portal / B24LAB_PORTAL.',
          });
        }
        url = new URL(answer.text, url).toString();
      }
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the portal';
  }
}
