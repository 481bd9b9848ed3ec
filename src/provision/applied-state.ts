/**
 * The state the last successful apply left on a portal (plan.ts AppliedState), kept in the state
 * directory per portal: `<state dir>/provision/<portal host>.json`. With it, the next plan can tell a
 * change made on the portal by hand (drift) from a change made in the config. Without it (another
 * machine, a first run) nothing is called drift; the plan is the same otherwise.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppliedState } from './plan.js';

interface AppliedFile {
  portal: string;
  appliedAt: string;
  state: AppliedState;
}

/** `https://lab.bitrix24.ru:8443/` -> `lab.bitrix24.ru_8443` */
export function appliedStateFile(stateDir: string, portal: string): string {
  const name =
    portal
      .replace(/^[a-z]+:\/\//i, '')
      .replace(/\/.*$/, '')
      .replace(/[^A-Za-z0-9.-]+/g, '_') || 'portal';
  return join(stateDir, 'provision', `${name}.json`);
}

export function readAppliedState(stateDir: string, portal: string): AppliedState | undefined {
  const file = appliedStateFile(stateDir, portal);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<AppliedFile>;
    return parsed.state && typeof parsed.state === 'object' ? parsed.state : undefined;
  } catch {
    // A damaged record only costs the drift labels; the plan itself does not depend on it.
    return undefined;
  }
}

export function writeAppliedState(stateDir: string, portal: string, state: AppliedState, now: number): void {
  const file = appliedStateFile(stateDir, portal);
  mkdirSync(join(stateDir, 'provision'), { recursive: true, mode: 0o700 });
  const body: AppliedFile = { portal, appliedAt: new Date(now).toISOString(), state };
  writeFileSync(`${file}.tmp`, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
