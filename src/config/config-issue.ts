/**
 * A problem found in the configuration. Loading never throws on bad config: it collects every issue of
 * every file (STYLE.md §10) so one run shows them all.
 */
export interface ConfigIssue {
  /** The file, relative to the config directory (`pipelines.yaml`); the directory itself when no file. */
  file: string;
  /** Where in the file: `pipelines[1].stages[3].code`; empty for the whole file. */
  path: string;
  message: string;
  /** 1-based position of the offending node when the YAML source has one. */
  line?: number;
  column?: number;
}

export type PathSegment = string | number;

/**
 * `['pipelines', 1, 'stages', 3, 'code']` -> `pipelines[1].stages[3].code`;
 * a key that is not an identifier is quoted: `['flags', 'a b']` -> `flags["a b"]`.
 */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** `pipelines.yaml:12:7 pipelines[1].stages[3].code: message` */
export function describeIssue(issue: ConfigIssue): string {
  const where = issue.line !== undefined ? `${issue.file}:${issue.line}:${issue.column ?? 1}` : issue.file;
  return `${where} ${issue.path ? issue.path + ': ' : ''}${issue.message}`;
}
