import { randomUUID } from 'node:crypto';
import type { Database } from '../db/open.ts';
import { checkProfileCode } from './accounts.ts';
import { CLIENT_SCOPES, type Perimeter } from './principal.ts';
import { AuthError } from './errors.ts';
import { hashSecret, randomToken, verifyCredential } from './passwords.ts';

export type ClientScope = (typeof CLIENT_SCOPES)[number];

/** A program calling the API with OAuth2 client credentials (a bed-management tool, a regional portal…). */
export interface ApiClient {
  id: string;
  name: string;
  scopes: ClientScope[];
  /** Where it may write; empty: nowhere (a read-only client). */
  perimeter: Perimeter;
  /** The JDV_J68 codes it may ask for; the first one applies when it sends none. */
  profileCodes: string[];
  disabled: boolean;
  createdAt: string;
}

export interface NewClient {
  name: string;
  scopes: string[];
  perimeter: Perimeter;
  /** Default `['CU18']`. */
  profileCodes?: string[];
}

interface ClientRow {
  id: string;
  name: string;
  secret_hash: string;
  scopes: ClientScope[];
  perimeter: Perimeter;
  access_profiles: string[];
  disabled: boolean;
  created_at: Date;
}

const COLUMNS = 'id, name, secret_hash, scopes, perimeter, access_profiles, disabled, created_at';

export function checkClientScopes(scopes: string[]): asserts scopes is ClientScope[] {
  const unknown = scopes.filter((s) => !(CLIENT_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new AuthError(400, 'invalid-scope', `Portée inconnue : ${unknown.join(', ')} (attendu : ${CLIENT_SCOPES.join(', ')}).`);
  }
}

function toClient(r: ClientRow): ApiClient {
  return {
    id: r.id,
    name: r.name,
    scopes: r.scopes,
    perimeter: r.perimeter,
    profileCodes: r.access_profiles,
    disabled: r.disabled,
    createdAt: r.created_at.toISOString(),
  };
}

/** API clients; their secrets are stored argon2id-hashed and shown once, at creation. */
export class ClientStore {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async create(input: NewClient): Promise<{ client_id: string; client_secret: string }> {
    const name = input.name.trim();
    if (name === '') throw new AuthError(400, 'invalid-name', 'Le nom du client est obligatoire.');
    if (input.scopes.length === 0) throw new AuthError(400, 'invalid-scope', `Au moins une portée est requise (${CLIENT_SCOPES.join(', ')}).`);
    checkClientScopes(input.scopes);
    const { perimeter } = input;
    const { national, regions, organizations, services, locations } = perimeter;
    const nowhere = !national && [regions, organizations, services, locations].every((ids) => ids.length === 0);
    if (nowhere && input.scopes.some((s) => s !== 'read')) {
      throw new AuthError(400, 'invalid-perimeter', "Un client sans périmètre ne peut que lire : une portée d'écriture demande un périmètre.");
    }
    const profileCodes = input.profileCodes ?? ['CU18'];
    if (profileCodes.length === 0) throw new AuthError(400, 'invalid-profile', "Au moins un profil d'accès est requis.");
    profileCodes.forEach(checkProfileCode);
    const id = randomUUID();
    const secret = randomToken();
    await this.db.pool.query(
      'INSERT INTO api_client (id, name, secret_hash, scopes, perimeter, access_profiles) VALUES ($1, $2, $3, $4, $5, $6)',
      [id, name, await hashSecret(secret), [...new Set(input.scopes)], JSON.stringify(perimeter), [...new Set(profileCodes)]],
    );
    return { client_id: id, client_secret: secret };
  }

  /** The enabled client whose secret this is, else null (unknown ids cost one verification too). */
  async verify(clientId: string, secret: string): Promise<ApiClient | null> {
    const row = await this.row(clientId);
    const usable = row && !row.disabled ? row : undefined;
    return (await verifyCredential(usable?.secret_hash, secret)) && usable ? toClient(usable) : null;
  }

  async get(clientId: string): Promise<ApiClient | null> {
    const row = await this.row(clientId);
    return row ? toClient(row) : null;
  }

  async disable(clientId: string): Promise<ApiClient> {
    const { rows } = await this.db.pool.query<ClientRow>(`UPDATE api_client SET disabled = true WHERE id = $1 RETURNING ${COLUMNS}`, [clientId]);
    if (!rows[0]) throw new AuthError(404, 'unknown-client', `Aucun client "${clientId}".`);
    return toClient(rows[0]);
  }

  async list(): Promise<ApiClient[]> {
    const { rows } = await this.db.pool.query<ClientRow>(`SELECT ${COLUMNS} FROM api_client ORDER BY created_at, id`);
    return rows.map(toClient);
  }

  private async row(clientId: string): Promise<ClientRow | undefined> {
    const { rows } = await this.db.pool.query<ClientRow>(`SELECT ${COLUMNS} FROM api_client WHERE id = $1`, [clientId]);
    return rows[0];
  }
}
