import { readFileSync, readdirSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { SCHEMA_COMMENT, configJsonSchemaText } from '../../src/config/config-json-schema.js';
import { configSections } from '../../src/config/config-sections.js';

describe('config JSON Schema', () => {
  it('config/schema.json matches the zod sections (run `npm run schema` after changing them)', async () => {
    // Formatted as the repository formats JSON, so `prettier --check .` and this test agree.
    const options = (await resolveConfig('config/schema.json')) ?? {};
    const text = await format(configJsonSchemaText(), { ...options, parser: 'json' });
    await expect(text).toMatchFileSnapshot('../../config/schema.json');
  });

  it('describes every registered section and refuses unknown ones', () => {
    const schema = JSON.parse(configJsonSchemaText());
    expect(Object.keys(schema.properties)).toEqual(Object.keys(configSections));
    expect(schema.additionalProperties).toBe(false);
    expect(schema.$schema).toContain('draft-07');
    // Defaulted keys stay optional for the editor (the input side of the schema).
    const stage = schema.properties.pipelines.items.properties.stages.items;
    expect(stage.required).toEqual(['code', 'name']);
    expect(stage.properties.semantics.enum).toEqual(['process', 'success', 'failure']);
  });

  it('every shipped YAML file points the YAML language server at the schema', () => {
    const files = readdirSync('config').filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      expect(readFileSync(`config/${file}`, 'utf8').split('\n')[0], file).toBe(SCHEMA_COMMENT);
    }
  });
});
