import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/clock.js';
import type { LocalPortal } from '../../src/emulator/start-local-portal.js';
import type { UserDoc } from '../../src/emulator/methods/users.js';

/**
 * One virtual clock for the local portal and the client: the client's limiter "sleeps" by moving it,
 * and the portal's bucket drains by the same amount, so rate-limit tests never wait for real time.
 * A sleep moves the clock at once (a sleeper computed its wait from the current time, so wake-ups
 * stay in order); the sleeper resumes on the next turn of the event loop.
 */
export function virtualClock(start = Date.now()): Clock & { advance(ms: number): void; slept: number } {
  let now = start;
  const clock = {
    slept: 0,
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    sleep: (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason as Error);
          return;
        }
        clock.slept += ms;
        now += Math.max(0, ms);
        setImmediate(resolve);
      }),
  };
  return clock;
}

export function tempDir(prefix = 'b24lab-rest-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Puts `n` users straight into the portal's store (fast fixtures for list tests). */
export function seedUsers(portal: LocalPortal, n: number): void {
  portal.portal.store.transaction(() => {
    for (let i = 0; i < n; i++) {
      portal.portal.store.insert<Omit<UserDoc, 'id'>>('user', {
        ACTIVE: true,
        NAME: `Сотрудник ${i}`,
        LAST_NAME: 'Тестовый',
        SECOND_NAME: '',
        EMAIL: `user${i}@lab.test`,
        XML_ID: '',
        PERSONAL_GENDER: '',
        PERSONAL_PHONE: '',
        PERSONAL_MOBILE: '',
        WORK_PHONE: '',
        WORK_POSITION: '',
        UF_DEPARTMENT: [1],
        USER_TYPE: 'employee',
        DATE_REGISTER: 0,
        LAST_LOGIN: null,
      });
    }
  });
}
