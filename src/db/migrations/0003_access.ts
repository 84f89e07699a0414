import { sql, type Kysely } from 'kysely';

/**
 * The access layer: professional accounts and their server-side sessions, login throttling, API clients,
 * the server's signing keys, and the audit log (every write, every denied attempt, every read of a
 * très-restreint field).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE account (
      id text PRIMARY KEY,
      email text NOT NULL UNIQUE,
      display_name text,
      password_hash text,
      role text NOT NULL,
      perimeter jsonb NOT NULL,
      access_profile text NOT NULL,
      oidc_issuer text,
      oidc_subject text,
      disabled boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      password_changed_at timestamptz,
      UNIQUE (oidc_issuer, oidc_subject)
    )`.execute(db);

  await sql`
    CREATE TABLE session (
      id_hash text PRIMARY KEY,
      account_id text NOT NULL REFERENCES account (id),
      csrf_token text NOT NULL,
      created_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      ip text,
      user_agent text
    )`.execute(db);
  await sql`CREATE INDEX session_account ON session (account_id)`.execute(db);

  await sql`
    CREATE TABLE login_throttle (
      key text PRIMARY KEY,
      failures integer NOT NULL,
      window_start timestamptz NOT NULL,
      locked_until timestamptz
    )`.execute(db);

  await sql`
    CREATE TABLE api_client (
      id text PRIMARY KEY,
      name text NOT NULL,
      secret_hash text NOT NULL,
      scopes text[] NOT NULL,
      perimeter jsonb NOT NULL,
      access_profiles text[] NOT NULL,
      disabled boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE auth_key (
      name text PRIMARY KEY,
      secret text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE audit_event (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      action text NOT NULL,
      outcome text NOT NULL,
      actor_kind text NOT NULL,
      actor_id text NOT NULL,
      actor_label text NOT NULL,
      client text,
      ip text,
      resource_type text,
      resource_id text,
      version_id integer,
      detail jsonb
    )`.execute(db);
  await sql`CREATE INDEX audit_event_at ON audit_event (at)`.execute(db);
  await sql`CREATE INDEX audit_event_resource ON audit_event (resource_type, resource_id, at)`.execute(db);
  await sql`CREATE INDEX audit_event_actor ON audit_event (actor_id, at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['audit_event', 'auth_key', 'api_client', 'login_throttle', 'session', 'account']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
  }
}
