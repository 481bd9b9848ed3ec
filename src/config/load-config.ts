/**
 * Reads the configuration: every `*.yaml` / `*.yml` file of one directory, each a map of sections
 * (`departments:`, `pipelines:` ...; config-sections.ts). It never throws on bad config: it returns
 * every problem of every file at once, each with its file, its path and, when the YAML has one, its
 * line and column (STYLE.md §10).
 *
 *   departments.yaml              ->  { departments: [...] }
 *   pipelines.yaml + fields.yaml  ->  { pipelines: [...], dealFields: [...] }
 *   a section in two files        ->  issue at the second one
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import type { Document, Node } from 'yaml';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { UserError } from '../errors.js';
import type { ConfigIssue, PathSegment } from './config-issue.js';
import { describeIssue, formatPath } from './config-issue.js';
import type { LabConfig, SectionName } from './config-sections.js';
import { configSections } from './config-sections.js';
import type { ConfigSection } from './config-section.js';

export const CONFIG_FILE_PATTERN = /\.ya?ml$/i;

export interface ConfigFile {
  /** Name relative to the config directory. */
  name: string;
  text: string;
}

export type LoadedConfig =
  | { ok: true; config: LabConfig; files: string[]; sources: Partial<Record<SectionName, string>> }
  | { ok: false; issues: ConfigIssue[] };

const sectionNames = Object.keys(configSections) as SectionName[];

/** Reads the directory and parses it; a missing directory is one issue, not an exception. */
export function loadConfig(dir: string): LoadedConfig {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    return { ok: false, issues: [{ file: dir, path: '', message: 'Config directory not found' }] };
  const names = readdirSync(dir)
    .filter((n) => CONFIG_FILE_PATTERN.test(n))
    .sort();
  if (names.length === 0)
    return {
      ok: false,
      issues: [{ file: dir, path: '', message: 'No *.yaml files in the config directory' }],
    };
  return parseConfigFiles(names.map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') })));
}

interface ParsedFile {
  name: string;
  doc: Document;
  counter: LineCounter;
}

/** The pure part of loadConfig: file texts in, the config or every issue out. */
export function parseConfigFiles(files: readonly ConfigFile[]): LoadedConfig {
  const issues: ConfigIssue[] = [];
  const config: Record<string, unknown> = {};
  const sources: Partial<Record<SectionName, string>> = {};
  const parsed = new Map<SectionName, ParsedFile>();

  for (const file of files) {
    const counter = new LineCounter();
    const doc = parseDocument(file.text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = e.linePos?.[0];
        issues.push({
          file: file.name,
          path: '',
          // prettyErrors appends " at line L, column C:" and a code frame; the position has its own fields.
          message: `YAML: ${(e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '')}`,
          ...(pos ? { line: pos.line, column: pos.col } : {}),
        });
      }
      continue;
    }
    const pf: ParsedFile = { name: file.name, doc, counter };
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue; // an empty file (comments only) is fine
    if (typeof value !== 'object' || Array.isArray(value)) {
      issues.push(at(pf, [], `A config file is a map of sections (${sectionNames.join(', ')})`));
      continue;
    }
    for (const [key, sectionValue] of Object.entries(value as Record<string, unknown>)) {
      if (!(sectionNames as string[]).includes(key)) {
        issues.push(at(pf, [key], `Unknown section "${key}"; known: ${sectionNames.join(', ')}`, true));
        continue;
      }
      const name = key as SectionName;
      const earlier = sources[name];
      if (earlier !== undefined) {
        issues.push(at(pf, [key], `Section "${key}" is already defined in ${earlier}`, true));
        continue;
      }
      sources[name] = file.name;
      const section = configSections[name] as ConfigSection;
      const result = section.schema.safeParse(sectionValue);
      if (!result.success) {
        for (const issue of result.error.issues) issues.push(fromZod(pf, name, issue));
        continue;
      }
      config[name] = result.data;
      parsed.set(name, pf);
    }
  }

  // Cross-reference checks see every section that parsed, so they run even when others failed.
  for (const [name, pf] of parsed) {
    const section = configSections[name] as ConfigSection;
    section.check?.(config[name], {
      config: config,
      issue: (path, message) => issues.push(at(pf, [name, ...path], message)),
    });
  }

  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, config: config, files: files.map((f) => f.name), sources };
}

function fromZod(pf: ParsedFile, section: string, issue: z.core.$ZodIssue): ConfigIssue {
  const path: PathSegment[] = [section, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
  if (issue.code === 'unrecognized_keys') {
    // Point at the first unknown key itself, and name them all.
    const keys = issue.keys;
    const first = keys[0];
    const message =
      keys.length === 1 ? `Unknown key "${first}"` : `Unknown keys ${keys.map((k) => `"${k}"`).join(', ')}`;
    return at(pf, first === undefined ? path : [...path, first], message, true);
  }
  return at(pf, path, issue.message);
}

/** An issue at a path, with the line and column of the deepest YAML node found along it. */
function at(pf: ParsedFile, path: readonly PathSegment[], message: string, pointAtKey = false): ConfigIssue {
  const node = locate(pf.doc, path, pointAtKey);
  const offset = node?.range?.[0];
  const pos = offset === undefined ? undefined : pf.counter.linePos(offset);
  return {
    file: pf.name,
    path: formatPath(path),
    message,
    ...(pos ? { line: pos.line, column: pos.col } : {}),
  };
}

function locate(doc: Document, path: readonly PathSegment[], pointAtKey: boolean): Node | undefined {
  let node: unknown = doc.contents;
  let found = node as Node | undefined;
  path.forEach((segment, i) => {
    if (node === undefined) return;
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) {
        node = undefined;
        return;
      }
      node = last && pointAtKey ? pair.key : (pair.value ?? pair.key);
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else {
      node = undefined;
    }
    if (node !== undefined && node !== null) found = node as Node;
  });
  return found;
}

/** Bad configuration: every problem, one per line, with where it is. */
export class ConfigInvalidError extends UserError {
  override readonly name = 'ConfigInvalidError';
  constructor(
    dir: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `The configuration in ${dir} has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n` +
        issues.map((i) => `  ${describeIssue(i)}`).join('\n'),
      issues.every((i) => i.file === dir)
        ? 'Pass --config <dir> (or set B24LAB_CONFIG) to the directory that holds the *.yaml files.'
        : `Fix them and run again; editors check the files as you type through ${join(dir, 'schema.json')}.`,
    );
  }
}

/** loadConfig for commands: the config, or a ConfigInvalidError listing every problem. */
export function requireConfig(dir: string): LabConfig {
  const result = loadConfig(dir);
  if (!result.ok) throw new ConfigInvalidError(dir, result.issues);
  return result.config;
}
