import type { Database } from '../db/open.ts';
import type { Repository } from '../store/repository.ts';
import { AccountStore } from './accounts.ts';
import { ClientStore } from './clients.ts';
import { resolvePerimeter } from './perimeter-spec.ts';
import type { Role } from './principal.ts';

export type DemoCredential =
  | { kind: 'account'; email: string; role: Role; perimeter: string; password: string }
  | { kind: 'client'; name: string; scopes: string[]; perimeter: string; clientId: string; clientSecret: string };

const DEMO_ACCOUNTS: readonly { email: string; role: Role; ids: string[]; name: string }[] = [
  { email: 'admin@ror.demo', role: 'national-admin', ids: [], name: 'Administrateur national (démo)' },
  { email: 'admin-pdl@ror.demo', role: 'regional-admin', ids: ['52'], name: 'Administrateur Pays de la Loire (démo)' },
  { email: 'referent.chu-nantes@ror.demo', role: 'referent', ids: ['ej-440000289'], name: 'Référent CHU de Nantes (démo)' },
  {
    email: 'ide.rea.chu-nantes@ror.demo',
    role: 'capacity-operator',
    ids: ['Location/loc-440000271-rea-adulte'],
    name: 'IDE réanimation CHU de Nantes (démo)',
  },
  { email: 'lecteur@ror.demo', role: 'reader', ids: [], name: 'Lecteur (démo)' },
];

const DEMO_CLIENT = {
  name: 'Logiciel de gestion des lits (démo)',
  scopes: ['read', 'write-capacities'],
  ids: ['ej-440000289'],
};

/**
 * The demo's accounts (one per role) and bed-management API client, for the Pays de la Loire demo dataset:
 * creates those that do not exist yet and returns their generated credentials (empty when all exist).
 */
export async function createDemoAccounts(db: Database, repo: Repository): Promise<DemoCredential[]> {
  const accounts = new AccountStore(db);
  const clients = new ClientStore(db);
  const created: DemoCredential[] = [];
  for (const demo of DEMO_ACCOUNTS) {
    if (await accounts.findByEmail(demo.email)) continue;
    const perimeter = await resolvePerimeter(repo, demo.role, demo.ids);
    const { password } = await accounts.create({ email: demo.email, role: demo.role, perimeter, displayName: demo.name });
    created.push({ kind: 'account', email: demo.email, role: demo.role, perimeter: describe(demo.ids), password });
  }
  if (!(await clients.list()).some((c) => c.name === DEMO_CLIENT.name)) {
    const perimeter = await resolvePerimeter(repo, 'client', DEMO_CLIENT.ids);
    const { name, scopes, ids } = DEMO_CLIENT;
    const { client_id, client_secret } = await clients.create({ name, scopes, perimeter });
    created.push({ kind: 'client', name, scopes, perimeter: describe(ids), clientId: client_id, clientSecret: client_secret });
  }
  return created;
}

function describe(ids: string[]): string {
  return ids.length === 0 ? '—' : ids.join(', ');
}

/** The credentials as a table for a terminal, shown once: they are not stored in clear anywhere. */
export function formatDemoCredentials(credentials: DemoCredential[]): string {
  const accounts = credentials.flatMap((c) => (c.kind === 'account' ? [[c.email, c.role, c.perimeter, c.password]] : []));
  const clients = credentials.flatMap((c) => (c.kind === 'client' ? [[c.name, c.scopes.join(' '), c.perimeter, c.clientId, c.clientSecret]] : []));
  const parts = [
    '',
    'Comptes de démonstration / demo accounts — notez-les, ils ne seront plus affichés / write them down, they will not be shown again:',
  ];
  if (accounts.length > 0) parts.push('', table(['Email', 'Rôle / role', 'Périmètre / perimeter', 'Mot de passe / password'], accounts));
  if (clients.length > 0) {
    parts.push('', table(['Client API / API client', 'Portées / scopes', 'Périmètre / perimeter', 'client_id', 'client_secret'], clients));
  }
  parts.push('', 'Connexion / login: /connexion — jeton / token: POST /oauth/token (client_credentials)', '');
  return parts.join('\n');
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `  ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
