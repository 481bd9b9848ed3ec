import type { Clock } from '../clock.js';
import { UserError } from '../errors.js';
import type { Logger } from '../ui/logger.js';
import type { LocalPortal, LocalPortalOptions } from './start-local-portal.js';
import { startLocalPortal } from './start-local-portal.js';

/** Starts the local portal for `portal serve`, turning the usual start failures into clear errors. */
export async function servePortal(
  options: LocalPortalOptions,
  logger: Logger,
  clock: Clock,
): Promise<LocalPortal> {
  try {
    return await startLocalPortal({ ...options, logger, clock });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new UserError(
        `Port ${options.port} is already in use.`,
        'Pass --port 0 for a free port, or another --port.',
      );
    }
    if (code === 'EACCES')
      throw new UserError(`Not allowed to listen on port ${options.port}.`, 'Use a port above 1024.');
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new UserError(
        `Cannot listen on host "${options.host}".`,
        'Use 127.0.0.1, ::1 or an address of this machine.',
      );
    }
    if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_NOTADB') {
      throw new UserError(
        `Cannot open the portal data file "${options.data}" (${code}).`,
        'Check the path and that it is a b24lab portal file.',
      );
    }
    throw e;
  }
}
