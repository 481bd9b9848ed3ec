/**
 * `b24lab init`: checks a portal live, then writes `.env` (0600), the `.gitignore` entry and a starter
 * config/. Pure decisions (scopes, file contents) are exported for tests; the IO edge is `initProject`.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shippedConfigDir } from '../config/shipped-config.js';
import { ConfirmationRequiredError, UserError } from '../errors.js';
import { pullPortal } from '../provision/pull-portal.js';
import type { B24Client } from '../rest/client.js';
import { isB24Error } from '../rest/errors.js';

/** Without these b24lab's core (provisioning, jobs, reports) cannot work. */
export const REQUIRED_SCOPES = ['crm', 'user', 'department'] as const;
/** Used by single features (tasks, notifications, files, lists, business processes). */
export const OPTIONAL_SCOPES = ['task', 'im', 'disk', 'lists', 'bizproc'] as const;

export type RateLimitPlan = 'standard' | 'enterprise' | 'off';

export interface InitSettings {
  portal: string;
  rateLimit: RateLimitPlan;
  configFrom: 'shipped' | 'portal';
  dir: string;
  overwrite: boolean;
}

export interface InitResult {
  portal: string;
  written: string[];
  missingOptional: string[];
}

/** Which needed scopes the portal's answer to `scope` lacks. */
export function missingScopes(granted: string[]): { required: string[]; optional: string[] } {
  const have = new Set(granted.map((s) => s.toLowerCase()));
  return {
    required: REQUIRED_SCOPES.filter((s) => !have.has(s)),
    optional: OPTIONAL_SCOPES.filter((s) => !have.has(s)),
  };
}

export function envFileText(settings: Pick<InitSettings, 'portal' | 'rateLimit'>): string {
  return `B24LAB_PORTAL=${settings.portal}\nB24LAB_RATE_LIMIT=${settings.rateLimit}\n`;
}

/** The .gitignore text with `.env` added once; undefined when it is already there. */
export function gitignoreWithEnv(current: string | undefined): string | undefined {
  if (current === undefined) return '.env\n';
  if (current.split(/\r?\n/).some((line) => line.trim() === '.env' || line.trim() === '/.env'))
    return undefined;
  return `${current}${current.endsWith('\n') || current === '' ? '' : '\n'}.env\n`;
}

/** Live check: `profile` (the token works, the host answers) and `scope` (what the webhook may call). */
export async function checkPortal(client: B24Client): Promise<string[]> {
  try {
    await client.call('profile');
    const granted = await client.call<string[]>('scope');
    const missing = missingScopes(granted);
    if (missing.required.length > 0)
      throw new UserError(
        `The portal lacks the scopes b24lab needs: ${missing.required.join(', ')}.`,
        'Edit the webhook (Developer resources -> Other -> Inbound webhook) and tick these scopes.',
      );
    return missing.optional;
  } catch (e) {
    if (isB24Error(e)) throw new UserError(`The portal check failed: ${e.message}`, e.hint);
    throw e;
  }
}

export async function initProject(client: B24Client, settings: InitSettings): Promise<InitResult> {
  const envPath = join(settings.dir, '.env');
  const configDir = join(settings.dir, 'config');
  const existing = [envPath, configDir].filter((p) => existsSync(p));
  if (existing.length > 0 && !settings.overwrite)
    throw new ConfirmationRequiredError(`Overwriting ${existing.join(', ')}`, '--yes');
  const missingOptional = await checkPortal(client);
  mkdirSync(settings.dir, { recursive: true });
  const written: string[] = [];
  if (settings.configFrom === 'portal') {
    const pulled = await pullPortal({ client, out: configDir, overwrite: settings.overwrite });
    written.push(...pulled.written);
  } else {
    cpSync(shippedConfigDir(), configDir, { recursive: true, force: settings.overwrite });
    written.push(configDir);
  }
  writeFileSync(envPath, envFileText(settings), { mode: 0o600 });
  chmodSync(envPath, 0o600);
  written.push(envPath);
  const ignorePath = join(settings.dir, '.gitignore');
  const ignore = gitignoreWithEnv(existsSync(ignorePath) ? readFileSync(ignorePath, 'utf8') : undefined);
  if (ignore !== undefined) {
    writeFileSync(ignorePath, ignore);
    written.push(ignorePath);
  }
  return { portal: client.portal, written, missingOptional };
}
