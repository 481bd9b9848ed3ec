import { confirm, input, password, select } from '@inquirer/prompts';
import chalk from 'chalk';
import { UserError } from '../errors.js';
import type { InitPrompts } from '../init/ask-init.js';
import type { AuthKind } from '../init/check-portal.js';
import type { ConfigSource, OAuthInput, RateLimitPlan } from '../init/init-portal.js';
import { DEFAULT_OAUTH_SERVER } from '../rest/connection.js';
import type { Output } from './output.js';

/** Whether questions can be asked: a person at both ends (keys in, screen out). */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY) && Boolean(process.stderr.isTTY);
}

/** Ctrl+C in a question: stop with 130 like a shell, without a stack. */
async function asked<T>(question: Promise<T>): Promise<T> {
  try {
    return await question;
  } catch (e) {
    if (e instanceof Error && e.name === 'ExitPromptError')
      throw new UserError('Cancelled: nothing was written.', undefined, 130);
    throw e;
  }
}

const masked = (url: string): string => url.replace(/(\/rest\/\d+\/)[^/\s]+/, '$1***');
const required = (what: string) => (value: string) => value.trim() !== '' || `${what} is required.`;

/**
 * The questions of `b24lab init` on a terminal (@inquirer/prompts), written to stderr so stdout
 * keeps only results. `streams` lets a test drive them with fake keys.
 */
export function createInitPrompts(
  output: Output,
  streams: { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream } = {},
): InitPrompts {
  const context = {
    output: streams.output ?? process.stderr,
    ...(streams.input ? { input: streams.input } : {}),
  };
  const say = (line: string): void => {
    if (streams.output) streams.output.write(line + '\n');
    else output.err(line);
  };
  const secret = (message: string, previous: string | undefined): Promise<string> =>
    asked(
      password(
        {
          message: previous ? `${message} (Enter keeps the one given)` : message,
          mask: '*',
          validate: (v) => v.trim() !== '' || previous !== undefined || `${message} is required.`,
        },
        context,
      ),
    ).then((v) => (v.trim() === '' && previous !== undefined ? previous : v.trim()));

  return {
    connectionKind: (current) =>
      asked(
        select<AuthKind>(
          {
            message: 'How should b24lab connect to the portal?',
            default: current,
            choices: [
              {
                name: 'Inbound webhook',
                value: 'webhook',
                description: 'Developer resources -> Other -> Inbound webhook: the simplest',
              },
              {
                name: 'OAuth application',
                value: 'oauth',
                description: 'A local application: client id, client secret and a refresh token',
              },
            ],
          },
          context,
        ),
      ),
    webhookUrl: (current) =>
      asked(
        input(
          {
            message: 'Webhook URL (https://PORTAL/rest/USER_ID/SECRET/):',
            ...(current ? { default: current } : {}),
            validate: required('The webhook URL'),
            transformer: (value, { isFinal }) => (isFinal ? masked(value) : value),
          },
          context,
        ),
      ).then((v) => v.trim()),
    oauth: async (current) => {
      const endpoint = await asked(
        input(
          {
            message: "The portal's REST endpoint (https://PORTAL/rest/):",
            ...(current.endpoint ? { default: current.endpoint } : {}),
            validate: required('The endpoint'),
          },
          context,
        ),
      );
      const server = await asked(
        input({ message: 'Token server:', default: current.server || DEFAULT_OAUTH_SERVER }, context),
      );
      const clientId = await asked(
        input(
          {
            message: 'Client id:',
            ...(current.clientId ? { default: current.clientId } : {}),
            validate: required('The client id'),
          },
          context,
        ),
      );
      const clientSecret = await secret('Client secret', current.clientSecret);
      const refreshToken = await secret('Refresh token', current.refreshToken);
      const answer: OAuthInput = {
        endpoint: endpoint.trim(),
        server: server.trim(),
        clientId: clientId.trim(),
        clientSecret,
        refreshToken,
      };
      return answer;
    },
    rateLimit: (current) =>
      asked(
        select<RateLimitPlan>(
          {
            message: "The portal's plan (REST request rate):",
            default: current,
            choices: [
              {
                name: 'Standard',
                value: 'standard',
                description: 'Most cloud plans: 2 requests/s, bursts of 50',
              },
              {
                name: 'Enterprise',
                value: 'enterprise',
                description: 'Enterprise cloud plans: 5 requests/s, bursts of 250',
              },
              { name: 'No limit', value: 'off', description: 'A box portal on your own server' },
            ],
          },
          context,
        ),
      ),
    configFrom: (current, canKeep) =>
      asked(
        select<ConfigSource>(
          {
            message: 'Starter configuration (config/):',
            default: canKeep || current !== 'keep' ? current : 'shipped',
            choices: [
              {
                name: 'The laboratory configuration shipped with b24lab',
                value: 'shipped',
                description:
                  'Pipelines, fields, smart process and rules of the laboratory case; edit to taste',
              },
              {
                name: 'Pulled from this portal',
                value: 'portal',
                description: 'What the portal has now, so `b24lab plan` starts with nothing to do',
              },
              ...(canKeep
                ? [
                    {
                      name: 'Keep the existing config/',
                      value: 'keep' as const,
                      description: 'Change nothing there',
                    },
                  ]
                : []),
            ],
          },
          context,
        ),
      ),
    confirmWrite: (plan, overwriting) => {
      say('b24lab init will write:');
      for (const line of plan) say(`  ${line}`);
      return asked(
        confirm(
          {
            message: overwriting.length > 0 ? 'Replace these files?' : 'Write these files?',
            default: overwriting.length === 0,
          },
          context,
        ),
      );
    },
    problem: (problem) => {
      say(`${chalk.red('✗')} ${problem.reason}`);
      if (problem.hint) say(`  ${chalk.gray(problem.hint)}`);
    },
    note: (text) => say(chalk.gray(text)),
  };
}
