import type { InitResult } from '../init/init-portal.js';

/** Never prints the webhook secret or a token: only the portal's origin. */
export function renderInitResult(result: InitResult): string {
  const lines = [
    `Connected to ${result.portal} (${result.kind === 'webhook' ? 'webhook' : 'OAuth application'}).`,
    ...result.written.map((f) => `  wrote ${f}`),
  ];
  if (result.missingOptional.length > 0)
    lines.push(`Optional scopes missing (some features off): ${result.missingOptional.join(', ')}`);
  if (result.stateDir !== undefined)
    lines.push(
      `The refreshed OAuth tokens are kept in ${result.stateDir}: later runs need this state directory (--state, B24LAB_STATE).`,
    );
  lines.push('Next: b24lab plan');
  return lines.join('\n');
}

export const NOTHING_WRITTEN = 'Nothing written.';
