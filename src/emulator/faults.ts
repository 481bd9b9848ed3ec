/**
 * Injected failures for reliability tests (`--faults`, `b24lab.faults.set`). A spec is a comma list of
 * `KIND=SHARE` (that share of requests, drawn from a seeded generator so runs repeat) or `KIND@N`
 * (exactly the N-th request from now, 1-based):
 *   503         answer QUERY_LIMIT_EXCEEDED without running the method (the call provably did not run)
 *   500         answer INTERNAL_SERVER_ERROR without running the method
 *   drop        run the method, then cut the connection before answering (the worst case for writes)
 *   refuse      cut the connection without running the method
 * Example: `503=0.1,drop@3` -> one request in ten gets 503, and the third request is dropped after it ran.
 */
import { seededRandom } from '../random.js';

export { seededRandom };

export type FaultKind = '503' | '500' | 'drop' | 'refuse';

export interface FaultRule {
  kind: FaultKind;
  share?: number;
  nth?: number;
}

const KINDS: FaultKind[] = ['503', '500', 'drop', 'refuse'];

export function parseFaultSpec(spec: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const raw of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([a-z0-9-]+)\s*(=|@)\s*([0-9.]+)$/i.exec(raw);
    const kind = m?.[1]?.toLowerCase() as FaultKind | undefined;
    if (!m || !kind || !KINDS.includes(kind)) {
      throw new Error(
        `Bad fault rule "${raw}": expected KIND=SHARE or KIND@N with KIND one of ${KINDS.join(', ')}`,
      );
    }
    const n = Number(m[3]);
    if (m[2] === '=') {
      if (!(n >= 0 && n <= 1)) throw new Error(`Bad fault rule "${raw}": the share must be between 0 and 1`);
      rules.push({ kind, share: n });
    } else {
      if (!Number.isInteger(n) || n < 1)
        throw new Error(`Bad fault rule "${raw}": N must be a whole number from 1`);
      rules.push({ kind, nth: n });
    }
  }
  return rules;
}

export class FaultInjector {
  private rules: FaultRule[] = [];
  private counter = 0;

  constructor(
    spec = '',
    private readonly random: () => number = seededRandom(1),
  ) {
    this.set(spec);
  }

  set(spec: string): void {
    this.rules = parseFaultSpec(spec);
    this.counter = 0;
  }

  get spec(): string {
    return this.rules
      .map((r) => (r.nth !== undefined ? `${r.kind}@${r.nth}` : `${r.kind}=${r.share}`))
      .join(',');
  }

  /** Decides the fate of the next request. */
  next(): FaultKind | undefined {
    if (this.rules.length === 0) return undefined;
    this.counter++;
    for (const rule of this.rules) {
      if (rule.nth !== undefined && rule.nth === this.counter) return rule.kind;
    }
    const draw = this.random();
    let acc = 0;
    for (const rule of this.rules) {
      if (rule.share === undefined) continue;
      acc += rule.share;
      if (draw < acc) return rule.kind;
    }
    return undefined;
  }
}
