/**
 * The JSON Schema of one config file, generated from the zod sections (the single source of truth), for
 * editor completion: YAML files start with `# yaml-language-server: $schema=./schema.json`.
 * `npm run schema` rewrites config/schema.json; tests/unit/config-schema.test.ts fails when it is stale.
 */
import { z } from 'zod';
import { configSections } from './config-sections.js';

export const SCHEMA_FILE = 'schema.json';
export const SCHEMA_COMMENT = `# yaml-language-server: $schema=./${SCHEMA_FILE}`;

export function configFileSchema() {
  const shape = Object.fromEntries(
    Object.entries(configSections).map(([name, section]) => [name, section.schema.optional()]),
  );
  return z
    .strictObject(shape)
    .describe('b24lab configuration file: any of the sections; every *.yaml file of the directory is read');
}

/** The schema as the text of config/schema.json (stable key order, trailing newline). */
export function configJsonSchemaText(): string {
  // draft-7 is what the YAML language server understands best; `input` leaves defaulted keys optional.
  const schema = z.toJSONSchema(configFileSchema(), { target: 'draft-7', io: 'input' });
  return JSON.stringify({ ...schema, title: 'b24lab configuration' }, null, 2) + '\n';
}
