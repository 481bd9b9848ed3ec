/**
 * Downloads a Drive file by the DOWNLOAD_URL the portal gave (disk.file.get / getchildren). The URL
 * carries its own token, so no auth is added; a failure is a B24Error like any other portal refusal.
 */
import { B24Error } from '../rest/errors.js';

export async function downloadFile(url: string, signal?: AbortSignal): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, signal ? { signal } : {});
  } catch (e) {
    throw new B24Error({
      method: 'disk.file.download',
      code: 'NETWORK_ERROR',
      description: `could not download a Drive file: ${(e as Error).message}`,
      httpStatus: 0,
      retryable: true,
    });
  }
  if (!response.ok) {
    throw new B24Error({
      method: 'disk.file.download',
      code: `HTTP_${response.status}`,
      description: 'the portal refused a Drive file download',
      httpStatus: response.status,
      retryable: response.status >= 500,
    });
  }
  return Buffer.from(await response.arrayBuffer());
}
