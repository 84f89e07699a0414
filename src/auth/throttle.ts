import type { Database } from '../db/open.ts';
import { normalizeEmail } from './accounts.ts';

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Rule {
  /** Failures within `windowMs` that lock the key. */
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

const MINUTES_15 = 15 * 60_000;
/** Per account: a password guesser on one account. */
const ACCOUNT_RULE: Rule = { maxFailures: 5, windowMs: MINUTES_15, lockMs: MINUTES_15 };
/** Per IP: one address trying many accounts (a whole hospital may sit behind one address, hence the margin). */
const IP_RULE: Rule = { maxFailures: 30, windowMs: MINUTES_15, lockMs: MINUTES_15 };

export interface LoginAttempt {
  email: string;
  ip: string;
}

/**
 * Failed-login counters per account and per IP, in the database so that every instance sees them. A key
 * failing `maxFailures` times within its window is locked for `lockMs`; attempts while locked are refused
 * before any password check and do not count.
 */
export class LoginThrottle {
  private readonly db: Database;
  private readonly now: () => Date;

  constructor(db: Database, options: { now?: () => Date } = {}) {
    this.db = db;
    this.now = options.now ?? (() => new Date());
  }

  async check(attempt: LoginAttempt): Promise<ThrottleVerdict> {
    const now = this.now();
    const { rows } = await this.db.pool.query<{ locked_until: Date }>(
      'SELECT locked_until FROM login_throttle WHERE key = ANY($1::text[]) AND locked_until > $2',
      [keys(attempt).map(([key]) => key), now],
    );
    if (rows.length === 0) return { allowed: true };
    const until = Math.max(...rows.map((r) => r.locked_until.getTime()));
    return { allowed: false, retryAfterSeconds: Math.ceil((until - now.getTime()) / 1000) };
  }

  async fail(attempt: LoginAttempt): Promise<void> {
    const now = this.now();
    for (const [key, rule] of keys(attempt)) {
      const windowStart = new Date(now.getTime() - rule.windowMs);
      const lockedUntil = new Date(now.getTime() + rule.lockMs);
      // A window that has run out starts again at this failure.
      await this.db.pool.query(
        `INSERT INTO login_throttle AS t (key, failures, window_start, locked_until)
         VALUES ($1, 1, $2, CASE WHEN 1 >= $4 THEN $5::timestamptz END)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN t.window_start <= $3 THEN 1 ELSE t.failures + 1 END,
           window_start = CASE WHEN t.window_start <= $3 THEN $2 ELSE t.window_start END,
           locked_until = CASE WHEN (CASE WHEN t.window_start <= $3 THEN 1 ELSE t.failures + 1 END) >= $4 THEN $5 ELSE t.locked_until END`,
        [key, now, windowStart, rule.maxFailures, lockedUntil],
      );
    }
  }

  /** Deletes the counters whose window and lock have both run out. */
  async purge(): Promise<number> {
    const now = this.now();
    const windowMs = Math.max(ACCOUNT_RULE.windowMs, IP_RULE.windowMs);
    const { rowCount } = await this.db.pool.query(
      'DELETE FROM login_throttle WHERE window_start <= $1 AND (locked_until IS NULL OR locked_until <= $2)',
      [new Date(now.getTime() - windowMs), now],
    );
    return rowCount ?? 0;
  }

  /** A successful login clears its account's counter; the IP's counter runs on. */
  async succeed(attempt: LoginAttempt): Promise<void> {
    await this.db.pool.query('DELETE FROM login_throttle WHERE key = $1', [accountKey(attempt.email)]);
  }
}

function accountKey(email: string): string {
  return `account:${normalizeEmail(email)}`;
}

function keys(attempt: LoginAttempt): [string, Rule][] {
  return [
    [accountKey(attempt.email), ACCOUNT_RULE],
    [`ip:${attempt.ip}`, IP_RULE],
  ];
}
