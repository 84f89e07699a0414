import type { Actor, RequestContext } from '../store/audit.ts';

export const ROLES = ['national-admin', 'regional-admin', 'referent', 'capacity-operator', 'reader'] as const;
/** What a person's account is for; see docs/access.md. */
export type Role = (typeof ROLES)[number];

export const CLIENT_SCOPES = ['read', 'write-capacities', 'write-offer'] as const;
/**
 * What a principal may do. API clients are granted the first three; `admin` (accounts, clients, audit log)
 * belongs to administrators' accounts only.
 */
export type Scope = (typeof CLIENT_SCOPES)[number] | 'admin';

/**
 * The IG's access profiles (exposure model mapping): 1 sees everything, 2 hides très-restreint contacts and
 * sensitive units, 3 depends on the champ d'activité (medico-social or not), 0 is public data only.
 */
export type AccessProfile = 0 | 1 | 2 | 3;

/** `Ror-Profil-Utilisateur-System`: the OID of TRE_R78 ProfilAccesReferentiel (JDV_J68). */
export const PROFILE_CODE_SYSTEM = '1.2.250.1.213.1.6.1.66';
/** JDV_J68 code → access profile. The IG does not publish this mapping; ours is documented in docs/access.md. */
export const PROFILE_OF_CODE: Readonly<Record<string, AccessProfile>> = {
  CU22: 1, // Régulation de soins non programmés
  CU18: 2, // Orientation sanitaire et médico-sociale
  CU20: 2, // Coordination sanitaire et médico-sociale
  CU19: 3, // Orientation médico-sociale
  CU21: 3, // Coordination médico-sociale
  CU23: 0, // Accès public
};

/**
 * Where a principal may write (and, for a regional admin, administer). `national` covers everything; otherwise
 * a resource is inside when it carries one of `regions` (meta.tag J237), or sits under one of `organizations`
 * (an EJ, EG or OI and everything below it: OIs, offers, lieux, roles), or is one of `services` / `locations`
 * (a capacity operator's units: a HealthcareService covers its Locations).
 */
export interface Perimeter {
  national: boolean;
  regions: string[];
  organizations: string[];
  services: string[];
  locations: string[];
}

export const EMPTY_PERIMETER: Perimeter = { national: false, regions: [], organizations: [], services: [], locations: [] };

export interface Coding {
  system: string;
  code: string;
}

/** The authenticated caller of one request, as every endpoint sees it. */
export interface Principal extends Actor {
  kind: 'user' | 'client' | 'system';
  /** Accounts only. */
  role?: Role;
  scopes: Scope[];
  perimeter: Perimeter;
  /** The access profile applied when resources are serialised for this request. */
  profile: AccessProfile;
  /** The JDV_J68 code the profile came from, when one was sent or granted. */
  profileCode?: string;
  /** `Ror-Role-Metier-*`, recorded in the audit log. */
  roleMetier?: Coding;
  /** Cookie sessions only: the id hash of the session and its CSRF token. */
  session?: { idHash: string; csrfToken: string };
  /** The channel for the audit log: the API client id, or `web`. */
  client: string;
  ip?: string;
}

export function requestContext(p: Principal): RequestContext {
  return { actor: { kind: p.kind, id: p.id, label: p.label }, client: p.client, ...(p.ip !== undefined ? { ip: p.ip } : {}) };
}

/** The scopes of each role. */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  'national-admin': ['read', 'write-offer', 'write-capacities', 'admin'],
  'regional-admin': ['read', 'write-offer', 'write-capacities', 'admin'],
  referent: ['read', 'write-offer', 'write-capacities'],
  'capacity-operator': ['read', 'write-capacities'],
  reader: ['read'],
};

/** The access profile an account gets unless its record says otherwise. */
export const ROLE_DEFAULT_PROFILE_CODE: Readonly<Record<Role, string>> = {
  'national-admin': 'CU22',
  'regional-admin': 'CU22',
  referent: 'CU18',
  'capacity-operator': 'CU18',
  reader: 'CU18',
};
