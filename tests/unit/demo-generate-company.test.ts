import { describe, expect, it } from 'vitest';
import { generateCompany } from '../../src/demo/generate-company.js';
import { loadConfig } from '../../src/config/load-config.js';

const loaded = loadConfig('config');
if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
const config = loaded.config;

describe('generateCompany', () => {
  it('is deterministic for a seed', () => {
    expect(generateCompany(config, 7)).toEqual(generateCompany(config, 7));
    expect(generateCompany(config, 7).deals).not.toEqual(generateCompany(config, 8).deals);
  });

  it('staffs 90 people with unique e-mails, the config heads among them', () => {
    const { people } = generateCompany(config);
    expect(people).toHaveLength(90);
    expect(new Set(people.map((p) => p.email)).size).toBe(90);
    for (const dep of config.departments ?? []) {
      if (dep.head) expect(people.some((p) => p.email === dep.head && p.heads.includes(dep.key))).toBe(true);
    }
  });

  it('spreads deals over all three pipelines and every stage of each', () => {
    const { deals } = generateCompany(config);
    expect(deals.length).toBeGreaterThan(300);
    for (const pipeline of config.pipelines ?? []) {
      const reached = new Set(
        deals.filter((d) => d.pipeline === pipeline.key).map((d) => d.moves.at(-1)!.stage),
      );
      for (const stage of pipeline.stages)
        expect(reached, `${pipeline.key}:${stage.code}`).toContain(stage.code);
    }
  });

  it('moves each deal forward in time through stages of its own pipeline', () => {
    const { deals, days } = generateCompany(config);
    for (const deal of deals) {
      const codes = new Set(
        config.pipelines!.find((p) => p.key === deal.pipeline)!.stages.map((s) => s.code),
      );
      for (const [i, move] of deal.moves.entries()) {
        expect(codes.has(move.stage)).toBe(true);
        expect(move.day).toBeLessThan(days);
        if (i > 0) expect(move.day).toBeGreaterThan(deal.moves[i - 1]!.day);
      }
    }
  });
});
