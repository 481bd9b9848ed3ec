import chalk from 'chalk';
import type { LocalPortal } from '../emulator/start-local-portal.js';
import type { Output } from './output.js';

/** Prints the webhook URL on a line of its own on stdout (scripts read it), and a hint on stderr. */
export function renderPortalStarted(output: Output, portal: LocalPortal): void {
  output.out(portal.webhookUrl);
  const hint = output.interactive ? chalk.gray : (s: string): string => s;
  output.logger.info('local portal listening', {
    url: portal.url,
    ...(portal.caCertFile ? { caCertFile: portal.caCertFile } : {}),
  });
  if (portal.caCertFile) output.err(hint(`export NODE_EXTRA_CA_CERTS=${portal.caCertFile}`));
  if (output.interactive) output.err(hint('Press Ctrl+C to stop.'));
}
