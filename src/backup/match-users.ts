/**
 * Users are not created by a restore (inviting people is not a backup's business): a source user is
 * matched to the target portal's user with the same e-mail (case and surrounding spaces ignored).
 * Source users without a match, and e-mails held by several target users, are reported; their records
 * go to the fallback user (the one restoring) so nothing is lost, and the report says so.
 */
export interface UserRow {
  ID: string | number;
  EMAIL?: string | null | undefined;
}

export interface UserMatch {
  /** source user ID -> target user ID */
  map: Record<string, number>;
  /** Source users given to the fallback user, with why. */
  unmatched: { id: string; email: string; reason: 'no e-mail' | 'not on the target portal' | 'ambiguous' }[];
}

function normalize(email: string | null | undefined): string {
  return (email ?? '').trim().toLowerCase();
}

export function matchUsers(
  source: readonly UserRow[],
  target: readonly UserRow[],
  fallback?: number,
): UserMatch {
  const byEmail = new Map<string, number[]>();
  for (const u of target) {
    const email = normalize(u.EMAIL);
    if (email === '') continue;
    byEmail.set(email, [...(byEmail.get(email) ?? []), Number(u.ID)]);
  }
  const result: UserMatch = { map: {}, unmatched: [] };
  for (const u of source) {
    const id = String(u.ID);
    const email = normalize(u.EMAIL);
    const candidates = email === '' ? [] : (byEmail.get(email) ?? []);
    if (candidates.length === 1 && candidates[0] !== undefined) {
      result.map[id] = candidates[0];
      continue;
    }
    const reason =
      email === '' ? 'no e-mail' : candidates.length === 0 ? 'not on the target portal' : 'ambiguous';
    result.unmatched.push({ id, email, reason });
    if (fallback !== undefined) result.map[id] = fallback;
  }
  return result;
}
