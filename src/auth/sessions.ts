import { createHash } from 'node:crypto';
import type { Database } from '../db/open.ts';
import { accountColumns, toAccount, type Account, type AccountRow } from './accounts.ts';
import { randomToken } from './passwords.ts';

export interface SessionOptions {
  /** A session unused this long ends. */
  idleMinutes: number;
  /** A session ends this long after login, used or not. */
  absoluteHours: number;
  now?: () => Date;
}

export interface NewSession {
  /** The cookie value; only its SHA-256 is stored. */
  token: string;
  csrfToken: string;
  /** The absolute end of the session. */
  expiresAt: Date;
}

export interface LiveSession {
  idHash: string;
  csrfToken: string;
  account: Account;
}

interface SessionRow extends AccountRow {
  id_hash: string;
  csrf_token: string;
  last_seen_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

/** `last_seen_at` is written at most this often, to spare a write per request. */
const TOUCH_INTERVAL_MS = 60_000;

export function sessionIdHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Server-side sessions of people: revocable at once, idle and absolute expiry. */
export class SessionStore {
  private readonly db: Database;
  private readonly idleMs: number;
  private readonly absoluteMs: number;
  private readonly now: () => Date;

  constructor(db: Database, options: SessionOptions) {
    this.db = db;
    this.idleMs = options.idleMinutes * 60_000;
    this.absoluteMs = options.absoluteHours * 3_600_000;
    this.now = options.now ?? (() => new Date());
  }

  async create(accountId: string, client: { ip?: string | undefined; userAgent?: string | undefined } = {}): Promise<NewSession> {
    const token = randomToken();
    const csrfToken = randomToken();
    const now = this.now();
    const expiresAt = new Date(now.getTime() + this.absoluteMs);
    await this.db.pool.query(
      `INSERT INTO session (id_hash, account_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
       VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`,
      [sessionIdHash(token), accountId, csrfToken, now, expiresAt, client.ip ?? null, client.userAgent?.slice(0, 512) ?? null],
    );
    return { token, csrfToken, expiresAt };
  }

  /** The live session of `token`, or null when unknown, revoked, expired (idle or absolute) or its account is disabled. */
  async lookup(token: string): Promise<LiveSession | null> {
    const idHash = sessionIdHash(token);
    const { rows } = await this.db.pool.query<SessionRow>(
      `SELECT s.id_hash, s.csrf_token, s.last_seen_at, s.expires_at, s.revoked_at,
              ${accountColumns('a')}
       FROM session s JOIN account a ON a.id = s.account_id WHERE s.id_hash = $1`,
      [idHash],
    );
    const r = rows[0];
    const now = this.now().getTime();
    if (!r || r.revoked_at !== null || r.disabled || now >= r.expires_at.getTime() || now >= r.last_seen_at.getTime() + this.idleMs) {
      return null;
    }
    if (now - r.last_seen_at.getTime() >= TOUCH_INTERVAL_MS) {
      await this.db.pool.query('UPDATE session SET last_seen_at = $2 WHERE id_hash = $1', [idHash, new Date(now)]);
    }
    return {
      idHash,
      csrfToken: r.csrf_token,
      account: toAccount(r),
    };
  }

  async revoke(token: string): Promise<void> {
    await this.db.pool.query('UPDATE session SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL', [sessionIdHash(token), this.now()]);
  }

  /** Deletes the sessions that can no longer be used (revoked, idle or past their expiry); the audit log keeps the logins. */
  async purge(): Promise<number> {
    const now = this.now();
    const { rowCount } = await this.db.pool.query(
      'DELETE FROM session WHERE revoked_at IS NOT NULL OR expires_at <= $1 OR last_seen_at <= $2',
      [now, new Date(now.getTime() - this.idleMs)],
    );
    return rowCount ?? 0;
  }

  /** Revokes every session of the account, except the one whose id hash is `exceptIdHash` (a password change keeps its own). */
  async revokeAll(accountId: string, exceptIdHash?: string): Promise<void> {
    await this.db.pool.query(
      'UPDATE session SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL AND id_hash IS DISTINCT FROM $3',
      [accountId, this.now(), exceptIdHash ?? null],
    );
  }
}
