/**
 * The interactive `b24lab init`: asks how to connect, checks the answer live and asks again with the
 * reason when it fails (unreachable host, wrong token, missing scopes), then asks the plan's rate limit
 * and where the config comes from, shows what it will write and writes only after a yes.
 * The questions themselves are injected (`InitPrompts`: src/ui/init-prompts.ts on a terminal, scripted
 * answers in tests), so this flow holds no terminal code.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { B24Client } from '../rest/client.js';
import type { ConnectionConfig } from '../rest/connection.js';
import type { AuthKind, CheckProblem } from './check-portal.js';
import { checkPortal } from './check-portal.js';
import type { ConfigSource, InitResult, InitSettings, OAuthInput, RateLimitPlan } from './init-portal.js';
import { connectionFrom, envChange, existingFiles, portalLabel, writeProject } from './init-portal.js';

export interface InitPrompts {
  connectionKind(current: AuthKind): Promise<AuthKind>;
  /** `current`: the last answer (or the variable's value), offered again after a problem. */
  webhookUrl(current: string | undefined): Promise<string>;
  oauth(current: Partial<OAuthInput>): Promise<OAuthInput>;
  rateLimit(current: RateLimitPlan): Promise<RateLimitPlan>;
  configFrom(current: ConfigSource, canKeep: boolean): Promise<ConfigSource>;
  /** `plan`: one line per file; `overwriting`: the existing files among them. */
  confirmWrite(plan: string[], overwriting: string[]): Promise<boolean>;
  /** Says what is wrong with the last answer (then the question comes again). */
  problem(problem: CheckProblem): void;
  /** Progress and facts: "Checking ...", "Connected as user 1". */
  note(text: string): void;
}

export interface AskInitOptions {
  prompts: InitPrompts;
  /** Opens a client for a candidate connection (the command builds it with its clock and logger). */
  connect: (connection: ConnectionConfig) => B24Client;
  dir: string;
  /** Starting answers: flags and B24LAB_* variables (a .env of an earlier init). */
  defaults: {
    kind: AuthKind;
    webhook?: string | undefined;
    oauth: Partial<OAuthInput>;
    rateLimit: RateLimitPlan;
    configFrom: ConfigSource;
  };
  /** OAuth: where the check's client keeps the refreshed token pair. */
  stateDir?: string;
}

export type AskInitResult = { written: true; result: InitResult } | { written: false };

/** What the confirmation shows: one line per file, secrets masked. */
export function describeWrite(settings: InitSettings, overwriting: string[]): string[] {
  const env = envChange(settings.connection, settings.rateLimit);
  const shown = Object.entries(env.set).map(([key, value]) =>
    /SECRET|TOKEN/.test(key) ? `${key}=***` : `${key}=${value.replace(/(\/rest\/\d+\/)[^/]+/, '$1***')}`,
  );
  const envPath = join(settings.dir, '.env');
  const configDir = join(settings.dir, 'config');
  const config = {
    shipped: 'the shipped laboratory configuration',
    portal: "pulled from the portal's pipelines, fields and smart processes",
    keep: 'kept as it is',
  }[settings.configFrom];
  const replaced = (path: string, how: string): string => (overwriting.includes(path) ? ` (${how})` : '');
  return [
    `${envPath}: ${shown.join(', ')}${replaced(envPath, 'merged: other variables stay')}`,
    `${configDir}/: ${config}${settings.configFrom === 'keep' ? '' : replaced(configDir, 'replaced')}`,
    `${join(settings.dir, '.gitignore')}: .env and .b24lab/ listed`,
  ];
}

async function askConnection(
  options: AskInitOptions,
): Promise<{ client: B24Client; connection: ConnectionConfig; missingOptional: string[] }> {
  const { prompts, defaults } = options;
  const kind = await prompts.connectionKind(defaults.kind);
  let webhook = defaults.webhook;
  let oauth = defaults.oauth;
  for (;;) {
    let connection: ConnectionConfig;
    try {
      if (kind === 'webhook') {
        webhook = await prompts.webhookUrl(webhook);
        connection = connectionFrom({ kind, url: webhook });
      } else {
        oauth = await prompts.oauth(oauth);
        connection = connectionFrom({ kind, ...(oauth as OAuthInput) });
      }
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      prompts.problem({ kind: 'input', reason: e.message, ...(e.hint ? { hint: e.hint } : {}) });
      continue;
    }
    prompts.note(`Checking ${portalLabel(connection)} ...`);
    const client = options.connect(connection);
    let outcome: Awaited<ReturnType<typeof checkPortal>>;
    try {
      outcome = await checkPortal(client, kind);
    } catch (e) {
      client.close();
      throw e;
    }
    if (outcome.ok) {
      prompts.note(`Connected to ${portalLabel(connection)} as user ${outcome.userId}.`);
      if (outcome.missingOptional.length > 0)
        prompts.note(
          `Optional scopes missing (their features stay off): ${outcome.missingOptional.join(', ')}.`,
        );
      return { client, connection, missingOptional: outcome.missingOptional };
    }
    client.close();
    prompts.problem(outcome.problem);
  }
}

/** The whole interactive init; writes nothing unless the person confirms. */
export async function askInit(options: AskInitOptions): Promise<AskInitResult> {
  const { prompts, defaults, dir } = options;
  const { client, connection, missingOptional } = await askConnection(options);
  try {
    const rateLimit = await prompts.rateLimit(defaults.rateLimit);
    const configFrom = await prompts.configFrom(defaults.configFrom, existsSync(join(dir, 'config')));
    const settings: InitSettings = {
      connection,
      rateLimit,
      configFrom,
      dir,
      overwrite: true,
      ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    };
    const overwriting = existingFiles(dir, configFrom);
    if (!(await prompts.confirmWrite(describeWrite(settings, overwriting), overwriting)))
      return { written: false };
    return { written: true, result: await writeProject(client, settings, missingOptional) };
  } finally {
    client.close();
  }
}
