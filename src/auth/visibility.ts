import type { HealthcareService, Location, Organization, Practitioner, PractitionerRole, Resource } from '@medplum/fhirtypes';
import type { Database } from '../db/open.ts';
import {
  CAPACITY_STATUS,
  type CapacityVisibilityKey,
  CHAMP_ACTIVITE,
  CONFIDENTIALITY,
  filterCapacityExtensions,
  filterOrganizationContacts,
  filterServiceContactExtensions,
  filterTelecoms,
  getChampActivite,
  isSensitiveUnit,
  type LevelFilter,
  SYSTEM,
  TEMPORARY_ASSIGNMENT,
} from '../model/index.ts';
import type { AccessProfile } from './principal.ts';

/**
 * Access profiles and confidentiality applied when resources are served (docs/access.md has the table this
 * file implements, with the choices made where the IG says nothing).
 */

/** What a resource's visibility depends on: the offers (HealthcareService) it belongs to. */
export interface OfferFacts {
  /** JDV_J20 champs d'activité of those offers */
  champs: readonly string[];
  /** one of them is a sensitive unit */
  sensitive: boolean;
}

/** The {@link OfferFacts} of the Locations and PractitionerRoles of a response, by `Type/id`. */
export type VisibilityFacts = ReadonlyMap<string, OfferFacts>;

const NO_OFFER: OfferFacts = { champs: [], sensitive: false };

/** The champ d'activité (`service-type` index) of offer `h` as `t.value`. */
const CHAMP = `LEFT JOIN sp_token t ON t.resource_type = 'HealthcareService' AND t.id = h.id AND t.code = 'service-type' AND t.system = $3`;

/**
 * One row per (Location or PractitionerRole, distinct champ × sensitivity of its offers). A Location's offers are
 * the HealthcareServices whose `location` references it; a PractitionerRole's, those of its `healthcareService`.
 */
const FACTS_SQL = `
  SELECT 'Location' AS of_type, r.target_id AS of_id, t.value AS champ, h.sensitive
    FROM unnest($1::text[]) AS k(id)
    JOIN sp_reference r ON r.target_id = k.id AND r.code = 'location' AND r.resource_type = 'HealthcareService' AND r.target_type = 'Location'
    JOIN resource h ON h.resource_type = 'HealthcareService' AND h.id = r.id AND NOT h.deleted
    ${CHAMP}
  UNION
  SELECT 'PractitionerRole', r.id, t.value, h.sensitive
    FROM unnest($2::text[]) AS k(id)
    JOIN sp_reference r ON r.resource_type = 'PractitionerRole' AND r.id = k.id AND r.code = 'service' AND r.target_type = 'HealthcareService'
    JOIN resource h ON h.resource_type = 'HealthcareService' AND h.id = r.target_id AND NOT h.deleted
    ${CHAMP}`;

interface FactsRow {
  of_type: string;
  of_id: string;
  champ: string | null;
  sensitive: boolean;
}

/**
 * The facts {@link applyAccessProfile} needs for the Locations and PractitionerRoles among `resources`, in one
 * query whatever their number. A Location no offer references is not sensitive and has no champ.
 */
export async function loadVisibilityFacts(db: Database, resources: readonly Resource[]): Promise<VisibilityFacts> {
  const locations: string[] = [];
  const roles: string[] = [];
  for (const r of resources) {
    if (r.id === undefined) continue;
    if (r.resourceType === 'Location') locations.push(r.id);
    else if (r.resourceType === 'PractitionerRole') roles.push(r.id);
  }
  const facts = new Map<string, { champs: string[]; sensitive: boolean }>();
  if (locations.length === 0 && roles.length === 0) return facts;
  const { rows } = await db.pool.query<FactsRow>(FACTS_SQL, [locations, roles, SYSTEM.champActivite]);
  for (const row of rows) {
    const key = `${row.of_type}/${row.of_id}`;
    let f = facts.get(key);
    if (f === undefined) {
      f = { champs: [], sensitive: false };
      facts.set(key, f);
    }
    if (row.champ !== null && !f.champs.includes(row.champ)) f.champs.push(row.champ);
    if (row.sensitive) f.sensitive = true;
  }
  return facts;
}

/** A resource as served under an access profile. */
export interface ServedResource {
  /** The filtered resource, or null when it must not be served at all. */
  resource: Resource | null;
  /** The output holds a très-restreint contact or telecom (or any contact of a sensitive unit): audit the read. */
  restrictedFieldsServed: boolean;
}

const ALL_LEVELS: ReadonlySet<string> = new Set([CONFIDENTIALITY.public, CONFIDENTIALITY.restricted, CONFIDENTIALITY.veryRestricted]);
const UP_TO_RESTRICTED: ReadonlySet<string> = new Set([CONFIDENTIALITY.public, CONFIDENTIALITY.restricted]);
const PUBLIC_ONLY: ReadonlySet<string> = new Set([CONFIDENTIALITY.public]);

/** The confidentiality levels of contacts and telecoms a profile sees for offers of `champs` (none: an Organization). */
function contactLevels(profile: AccessProfile, champs: readonly string[]): ReadonlySet<string> {
  if (profile === 1) return ALL_LEVELS;
  if (profile === 2 || (profile === 3 && champs.includes(CHAMP_ACTIVITE.medicoSocial))) return UP_TO_RESTRICTED;
  return PUBLIC_ONLY;
}

/** Which capacity entries a profile sees on a Location of offers of `champs`; `undefined`: all of them. */
export function capacityFilter(profile: AccessProfile, champs: readonly string[]): ((key: CapacityVisibilityKey) => boolean) | undefined {
  const notExceptional = (k: CapacityVisibilityKey): boolean => k.capacityStatus !== CAPACITY_STATUS.supplementaire;
  switch (profile) {
    case 1:
      return undefined;
    case 2:
      return notExceptional;
    case 3:
      return champs.includes(CHAMP_ACTIVITE.medicoSocial) ? notExceptional : () => false;
    case 0:
      return (k) => k.capacityStatus === CAPACITY_STATUS.installe && k.temporaryAssignment === TEMPORARY_ASSIGNMENT.aucune && k.crisisType === undefined;
  }
}

/** The champs d'activité whose PractitionerRoles each profile is served (absent: every champ). */
export const ROLE_CHAMPS: Readonly<Partial<Record<AccessProfile, readonly string[]>>> = {
  3: [CHAMP_ACTIVITE.medicoSocial, CHAMP_ACTIVITE.ambulatoire],
  0: [CHAMP_ACTIVITE.ambulatoire],
};

function servesPractitionerRoles(profile: AccessProfile, champs: readonly string[]): boolean {
  const served = ROLE_CHAMPS[profile];
  return served === undefined || champs.some((c) => served.includes(c));
}

/** The level filter of one resource; it notes when a très-restreint level is let through. */
class Confidentiality {
  restricted = false;
  readonly keep: LevelFilter;

  constructor(levels: ReadonlySet<string>, sensitive: boolean) {
    this.keep = (level) => {
      const effective = sensitive ? CONFIDENTIALITY.veryRestricted : level;
      const served = levels.has(effective);
      if (served && effective === CONFIDENTIALITY.veryRestricted) this.restricted = true;
      return served;
    };
  }
}

/** `r` with its array `key` set to `next` (removed when empty); `r` itself when `next` is its current array. */
function withArray<T extends object>(r: T, key: keyof T & string, next: readonly unknown[]): T {
  if (next === r[key]) return r;
  const copy = { ...r } as Record<string, unknown>;
  if (next.length > 0) copy[key] = next;
  else delete copy[key];
  return copy as T;
}

function withTelecoms<T extends HealthcareService | Location | Organization | Practitioner | PractitionerRole>(r: T, keep: LevelFilter): T {
  return r.telecom === undefined ? r : withArray(r, 'telecom', filterTelecoms(r.telecom, keep));
}

function served(resource: Resource, c: Confidentiality): ServedResource {
  return { resource, restrictedFieldsServed: c.restricted };
}

const HIDDEN: ServedResource = { resource: null, restrictedFieldsServed: false };

function serveOffer(hs: HealthcareService, profile: AccessProfile): ServedResource {
  const champ = getChampActivite(hs)?.code;
  const sensitive = isSensitiveUnit(hs) === true;
  if (sensitive && profile !== 1) return HIDDEN;
  const c = new Confidentiality(contactLevels(profile, champ === undefined ? [] : [champ]), sensitive);
  let out = withTelecoms(hs, c.keep);
  if (hs.extension !== undefined) out = withArray(out, 'extension', filterServiceContactExtensions(hs.extension, c.keep, c.keep));
  return served(out, c);
}

function serveLocation(location: Location, profile: AccessProfile, facts: OfferFacts): ServedResource {
  if (facts.sensitive && profile !== 1) return HIDDEN;
  const c = new Confidentiality(contactLevels(profile, facts.champs), facts.sensitive);
  let out = withTelecoms(location, c.keep);
  const keep = capacityFilter(profile, facts.champs);
  if (keep !== undefined && location.extension !== undefined) out = withArray(out, 'extension', filterCapacityExtensions(location.extension, keep));
  return served(out, c);
}

function servePractitionerRole(role: PractitionerRole, profile: AccessProfile, facts: OfferFacts): ServedResource {
  if ((facts.sensitive && profile !== 1) || !servesPractitionerRoles(profile, facts.champs)) return HIDDEN;
  const c = new Confidentiality(contactLevels(profile, facts.champs), facts.sensitive);
  return served(withTelecoms(role, c.keep), c);
}

function serveOrganization(org: Organization, profile: AccessProfile): ServedResource {
  const c = new Confidentiality(contactLevels(profile, []), false);
  let out = withTelecoms(org, c.keep);
  if (org.contact !== undefined) out = withArray(out, 'contact', filterOrganizationContacts(org.contact, c.keep, c.keep));
  return served(out, c);
}

function servePractitioner(p: Practitioner, profile: AccessProfile): ServedResource {
  const c = new Confidentiality(contactLevels(profile, []), false);
  return served(withTelecoms(p, c.keep), c);
}

/**
 * `resource` as `profile` may see it: null when it is not served at all (a sensitive unit's offer, Locations and
 * PractitionerRoles outside Profil 1; PractitionerRoles outside the champs of Profils 3 and 0), otherwise
 * without the contacts, telecoms and capacity entries the profile does not see (a contact left without any
 * telecom is dropped). `facts` comes from {@link loadVisibilityFacts} for the same resources.
 *
 * Nothing is mutated: the result is `resource` itself when nothing is filtered, else a copy sharing the
 * untouched parts with it, so treat both as read-only. Other resource types are served as they are.
 */
export function applyAccessProfile(resource: Resource, profile: AccessProfile, facts: VisibilityFacts): ServedResource {
  const factsOf = (r: Resource): OfferFacts => facts.get(`${r.resourceType}/${r.id ?? ''}`) ?? NO_OFFER;
  switch (resource.resourceType) {
    case 'HealthcareService':
      return serveOffer(resource, profile);
    case 'Location':
      return serveLocation(resource, profile, factsOf(resource));
    case 'PractitionerRole':
      return servePractitionerRole(resource, profile, factsOf(resource));
    case 'Organization':
      return serveOrganization(resource, profile);
    case 'Practitioner':
      return servePractitioner(resource, profile);
    default:
      return { resource, restrictedFieldsServed: false };
  }
}
