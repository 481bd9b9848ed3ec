import type { Envelope } from '../rest/client.js';
import type { Output } from './output.js';

/**
 * `b24lab call` prints the method's result as JSON on stdout (pipe it to jq); with --full the whole
 * envelope: result, total, next and the time block.
 */
export function renderCallResult(output: Output, envelope: Envelope<unknown>, full: boolean): void {
  output.out(JSON.stringify(full ? envelope : envelope.result, null, 2) ?? 'null');
}
