import { randomUUID } from 'node:crypto';
import type { Database } from '../db/open.ts';
import { PROFILE_OF_CODE, ROLE_DEFAULT_PROFILE_CODE, ROLES, type Perimeter, type Role } from './principal.ts';
import { AuthError } from './errors.ts';
import { checkPasswordPolicy, generatePassword, hashSecret, verifyCredential } from './passwords.ts';

/** A person's account. */
export interface Account {
  id: string;
  email: string;
  displayName: string | null;
  role: Role;
  perimeter: Perimeter;
  /** JDV_J68 code of the account's access profile (a key of `PROFILE_OF_CODE`). */
  profileCode: string;
  disabled: boolean;
  oidc?: { issuer: string; subject: string };
  createdAt: string;
}

export interface NewAccount {
  email: string;
  role: Role;
  perimeter: Perimeter;
  profileCode?: string;
  displayName?: string;
  /** Generated when absent. */
  password?: string;
}

export interface AccountRow {
  id: string;
  email: string;
  display_name: string | null;
  password_hash: string | null;
  role: Role;
  perimeter: Perimeter;
  access_profile: string;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  disabled: boolean;
  created_at: Date;
}

const COLUMN_NAMES = [
  'id',
  'email',
  'display_name',
  'password_hash',
  'role',
  'perimeter',
  'access_profile',
  'oidc_issuer',
  'oidc_subject',
  'disabled',
  'created_at',
];
/** The columns of an {@link AccountRow}, qualified by `alias` when given. */
export function accountColumns(alias?: string): string {
  return COLUMN_NAMES.map((c) => (alias ? `${alias}.${c}` : c)).join(', ');
}
const COLUMNS = accountColumns();

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function checkEmail(email: string): void {
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
    throw new AuthError(400, 'invalid-email', `Adresse électronique invalide : "${email}".`);
  }
}

export function checkRole(role: string): asserts role is Role {
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new AuthError(400, 'invalid-role', `Rôle inconnu "${role}" (attendu : ${ROLES.join(', ')}).`);
  }
}

export function checkProfileCode(code: string): void {
  if (!Object.hasOwn(PROFILE_OF_CODE, code)) {
    throw new AuthError(400, 'invalid-profile', `Profil d'accès inconnu "${code}" (attendu : ${Object.keys(PROFILE_OF_CODE).join(', ')}).`);
  }
}

export function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    role: r.role,
    perimeter: r.perimeter,
    profileCode: r.access_profile,
    disabled: r.disabled,
    ...(r.oidc_issuer !== null && r.oidc_subject !== null ? { oidc: { issuer: r.oidc_issuer, subject: r.oidc_subject } } : {}),
    createdAt: r.created_at.toISOString(),
  };
}

const unknownAccount = (who: string): AuthError => new AuthError(404, 'unknown-account', `Aucun compte "${who}".`);

/** Professional accounts: creation, passwords (argon2id), enabling, OIDC links. */
export class AccountStore {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async create(input: NewAccount): Promise<{ account: Account; password: string }> {
    const email = normalizeEmail(input.email);
    checkEmail(email);
    checkRole(input.role);
    const profileCode = input.profileCode ?? ROLE_DEFAULT_PROFILE_CODE[input.role];
    checkProfileCode(profileCode);
    if (input.password !== undefined) checkPasswordPolicy(input.password);
    const password = input.password ?? generatePassword();
    // ON CONFLICT rather than catching the unique violation: an error on a parameterised query breaks the
    // embedded database's connection (PGlite node-postgres adapter).
    const { rows } = await this.db.pool.query<AccountRow>(
      `INSERT INTO account (id, email, display_name, password_hash, role, perimeter, access_profile, password_changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now()) ON CONFLICT (email) DO NOTHING RETURNING ${COLUMNS}`,
      [randomUUID(), email, input.displayName ?? null, await hashSecret(password), input.role, JSON.stringify(input.perimeter), profileCode],
    );
    if (!rows[0]) throw new AuthError(409, 'duplicate-email', `Un compte existe déjà pour "${email}".`);
    return { account: toAccount(rows[0]), password };
  }

  /** Disables the account and revokes its sessions. */
  async disable(email: string): Promise<Account> {
    const account = await this.setDisabled(email, true);
    await this.revokeSessions(account.id);
    return account;
  }

  enable(email: string): Promise<Account> {
    return this.setDisabled(email, false);
  }

  private async setDisabled(email: string, disabled: boolean): Promise<Account> {
    const { rows } = await this.db.pool.query<AccountRow>(`UPDATE account SET disabled = $2 WHERE email = $1 RETURNING ${COLUMNS}`, [
      normalizeEmail(email),
      disabled,
    ]);
    if (!rows[0]) throw unknownAccount(email);
    return toAccount(rows[0]);
  }

  /**
   * An administrator's reset: sets `password` (generated when absent) and revokes the account's sessions.
   * Returns the new password.
   */
  async setPassword(email: string, password?: string): Promise<string> {
    if (password !== undefined) checkPasswordPolicy(password);
    const next = password ?? generatePassword();
    const { rows } = await this.db.pool.query<{ id: string }>(
      'UPDATE account SET password_hash = $2, password_changed_at = now() WHERE email = $1 RETURNING id',
      [normalizeEmail(email), await hashSecret(next)],
    );
    if (!rows[0]) throw unknownAccount(email);
    await this.revokeSessions(rows[0].id);
    return next;
  }

  /** The holder's change: `current` must be right (403 `wrong-password`), `next` must meet the policy (400). */
  async changePassword(accountId: string, current: string, next: string): Promise<void> {
    const row = await this.row('id', accountId);
    if (!row || row.disabled) throw unknownAccount(accountId);
    if (!(await verifyCredential(row.password_hash, current))) {
      throw new AuthError(403, 'wrong-password', 'Le mot de passe actuel est incorrect.');
    }
    checkPasswordPolicy(next);
    if (next === current) throw new AuthError(400, 'weak-password', "Le nouveau mot de passe doit être différent de l'actuel.");
    await this.db.pool.query('UPDATE account SET password_hash = $2, password_changed_at = now() WHERE id = $1', [accountId, await hashSecret(next)]);
  }

  /**
   * The account when `password` is its password and it is enabled, else null. Unknown emails, disabled
   * accounts and accounts without a password cost one verification too, so timing does not tell them apart.
   */
  async verifyLogin(email: string, password: string): Promise<Account | null> {
    const row = await this.row('email', normalizeEmail(email));
    const usable = row && !row.disabled ? row : undefined;
    return (await verifyCredential(usable?.password_hash, password)) && usable ? toAccount(usable) : null;
  }

  async findById(id: string): Promise<Account | null> {
    const row = await this.row('id', id);
    return row ? toAccount(row) : null;
  }

  async findByEmail(email: string): Promise<Account | null> {
    const row = await this.row('email', normalizeEmail(email));
    return row ? toAccount(row) : null;
  }

  async findByOidc(issuer: string, subject: string): Promise<Account | null> {
    const { rows } = await this.db.pool.query<AccountRow>(`SELECT ${COLUMNS} FROM account WHERE oidc_issuer = $1 AND oidc_subject = $2`, [
      issuer,
      subject,
    ]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  /** Links an identity-provider user to the account; 409 when that user is already linked to another account. */
  async linkOidc(id: string, issuer: string, subject: string): Promise<Account> {
    const { rows } = await this.db.pool.query<AccountRow>(
      `UPDATE account SET oidc_issuer = $2, oidc_subject = $3
       WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM account o WHERE o.oidc_issuer = $2 AND o.oidc_subject = $3 AND o.id <> $1)
       RETURNING ${COLUMNS}`,
      [id, issuer, subject],
    );
    if (rows[0]) return toAccount(rows[0]);
    if (!(await this.row('id', id))) throw unknownAccount(id);
    throw new AuthError(409, 'oidc-already-linked', 'Cette identité est déjà rattachée à un autre compte.');
  }

  async list(): Promise<Account[]> {
    const { rows } = await this.db.pool.query<AccountRow>(`SELECT ${COLUMNS} FROM account ORDER BY email`);
    return rows.map(toAccount);
  }

  private async revokeSessions(accountId: string): Promise<void> {
    await this.db.pool.query('UPDATE session SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL', [accountId]);
  }

  private async row(column: 'id' | 'email', value: string): Promise<AccountRow | undefined> {
    const { rows } = await this.db.pool.query<AccountRow>(`SELECT ${COLUMNS} FROM account WHERE ${column} = $1`, [value]);
    return rows[0];
  }
}
