import type { InitResult } from '../init/init-portal.js';

/** Never prints the webhook secret: only the portal's origin. */
export function renderInitResult(result: InitResult): string {
  const lines = [`Connected to ${result.portal}.`, ...result.written.map((f) => `  wrote ${f}`)];
  if (result.missingOptional.length > 0)
    lines.push(`Optional scopes missing (some features off): ${result.missingOptional.join(', ')}`);
  lines.push('Next: b24lab plan');
  return lines.join('\n');
}
