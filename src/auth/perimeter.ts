import type { HealthcareService, Location, Organization, PractitionerRole, Reference, Resource, Task } from '@medplum/fhirtypes';
import { getRegion, type RorResource } from '../model/meta.ts';
import { parseTypedReference } from '../store/indexing.ts';
import type { Repository } from '../store/repository.ts';
import { isIndexedResourceType } from '../store/search-parameters/registry.ts';
import { searchResources } from '../store/search.ts';
import type { Perimeter } from './principal.ts';

/** What a resource hangs from, to decide whether it lies inside a {@link Perimeter}. */
export interface Anchors {
  /** `Type/id` of the resource itself (`Type/` for a resource without id yet). */
  self: string;
  /** Region codes (JDV_J237) of its own region tag, and of the resources it is anchored through (Task, Practitioner). */
  regions: string[];
  /** Ids of the Organizations above it, itself included for an Organization. */
  organizations: string[];
  /** Ids of the HealthcareServices it belongs to (itself, the offers listing a Location, a role's offers). */
  services: string[];
  /** Ids of the Locations it is (itself, or a Task's focus). */
  locations: string[];
}

/** Organization chains are followed this many levels up (cycle-safe); a Task's focus this many times. */
const MAX_DEPTH = 10;
/** At most this many offers listing one Location, or roles of one Practitioner, are looked at. */
const MAX_RELATED = 500;

/** The target of a reference, when it is a resolvable `Type/id`. */
export function referenceTarget(ref: Reference | undefined): { type: string; id: string } | undefined {
  return ref?.reference === undefined ? undefined : parseTypedReference(ref.reference);
}

function idOf(ref: Reference | undefined, type: string): string[] {
  const target = referenceTarget(ref);
  return target?.type === type ? [target.id] : [];
}

class AnchorSet {
  readonly regions = new Set<string>();
  readonly organizations = new Set<string>();
  readonly services = new Set<string>();
  readonly locations = new Set<string>();
  /** Organizations whose parents are still to be read. */
  readonly organizationStarts = new Set<string>();

  constructor(readonly self: string) {}

  addRegionOf(resource: Resource): void {
    const region = getRegion(resource as RorResource);
    if (region !== undefined) this.regions.add(region);
  }

  merge(other: Anchors): void {
    for (const r of other.regions) this.regions.add(r);
    for (const o of other.organizations) this.organizations.add(o);
    for (const s of other.services) this.services.add(s);
    for (const l of other.locations) this.locations.add(l);
  }

  toAnchors(): Anchors {
    return {
      self: this.self,
      regions: [...this.regions],
      organizations: [...this.organizations],
      services: [...this.services],
      locations: [...this.locations],
    };
  }
}

/**
 * What `resource` (stored or about to be) hangs from: its region tag, the chain of Organizations above it
 * (an offer's providedBy, a Location's managingOrganization and the offers listing it, a role's organization
 * and offers), its own id, a Task's focus and a Practitioner's roles. Current versions are read level by level,
 * one query per type and level.
 */
export async function anchorsOf(repo: Repository, resource: Resource, depth = 0): Promise<Anchors> {
  const set = new AnchorSet(`${resource.resourceType}/${resource.id ?? ''}`);
  set.addRegionOf(resource);
  const id = resource.id;
  switch (resource.resourceType) {
    case 'Organization':
      if (id !== undefined) set.organizations.add(id);
      for (const parent of idOf(resource.partOf, 'Organization')) set.organizationStarts.add(parent);
      break;
    case 'HealthcareService':
      if (id !== undefined) set.services.add(id);
      addOfferOrganizations(set, [resource]);
      break;
    case 'Location': {
      if (id !== undefined) set.locations.add(id);
      for (const org of idOf(resource.managingOrganization, 'Organization')) set.organizationStarts.add(org);
      if (id !== undefined) {
        const offers = (await referencing(repo, 'HealthcareService', 'location', 'Location', id)) as HealthcareService[];
        for (const offer of offers) if (offer.id !== undefined) set.services.add(offer.id);
        addOfferOrganizations(set, offers);
      }
      break;
    }
    case 'PractitionerRole':
      await addRoles(repo, set, [resource]);
      break;
    case 'Practitioner':
      if (id !== undefined) {
        const roles = (await referencing(repo, 'PractitionerRole', 'practitioner', 'Practitioner', id)) as PractitionerRole[];
        for (const role of roles) set.addRegionOf(role);
        await addRoles(repo, set, roles);
      }
      break;
    case 'Task':
      if (depth < MAX_DEPTH) {
        const focus = await focusOf(repo, resource);
        if (focus) set.merge(await anchorsOf(repo, focus, depth + 1));
      }
      break;
    default:
      break;
  }
  await addOrganizationChains(repo, set);
  return set.toAnchors();
}

/**
 * What {@link anchorsOf} reads of a resource itself: two versions with the same anchoring fields have the same
 * anchors (what they hang from is read from the other resources, as they are now).
 */
export function anchoringFields(resource: Resource): string {
  const r = resource as Partial<Pick<Location, 'managingOrganization'> & Pick<HealthcareService, 'providedBy'> & Pick<Organization, 'partOf'> & Pick<PractitionerRole, 'organization' | 'healthcareService' | 'practitioner'> & Pick<Task, 'focus'>>;
  return JSON.stringify([
    resource.resourceType,
    resource.id,
    getRegion(resource as RorResource),
    r.partOf,
    r.providedBy,
    r.managingOrganization,
    r.organization,
    r.healthcareService,
    r.practitioner,
    r.focus,
  ]);
}

/**
 * The current version of a Task's focus: the stored resource it references, or, for a focus given as `type` and
 * `identifier` (as the IG's example does), the one stored resource of that type carrying that identifier.
 */
export async function focusOf(repo: Repository, task: Task): Promise<Resource | undefined> {
  const target = referenceTarget(task.focus);
  if (target) return isIndexedResourceType(target.type) ? (await repo.readCurrent(target.type, [target.id])).get(target.id) : undefined;
  const { type, identifier } = task.focus ?? {};
  if (!type || !isIndexedResourceType(type) || !identifier?.value) return undefined;
  const { resources } = await searchResources(repo.db, {
    resourceType: type,
    filters: [{ kind: 'token', code: 'identifier', values: [{ ...(identifier.system ? { system: identifier.system } : {}), code: identifier.value }], not: false }],
    count: 2,
    offset: 0,
    total: false,
  });
  return resources.length === 1 ? resources[0] : undefined;
}

function addOfferOrganizations(set: AnchorSet, offers: HealthcareService[]): void {
  for (const offer of offers) for (const org of idOf(offer.providedBy, 'Organization')) set.organizationStarts.add(org);
}

async function addRoles(repo: Repository, set: AnchorSet, roles: PractitionerRole[]): Promise<void> {
  const offerIds = new Set<string>();
  for (const role of roles) {
    for (const org of idOf(role.organization, 'Organization')) set.organizationStarts.add(org);
    for (const ref of role.healthcareService ?? []) for (const offer of idOf(ref, 'HealthcareService')) offerIds.add(offer);
  }
  for (const offer of offerIds) set.services.add(offer);
  if (offerIds.size > 0) addOfferOrganizations(set, [...(await repo.readCurrent('HealthcareService', [...offerIds])).values()] as HealthcareService[]);
}

/** Adds the starting Organizations and everything above them, one read per level, at most {@link MAX_DEPTH} levels. */
async function addOrganizationChains(repo: Repository, set: AnchorSet): Promise<void> {
  let frontier = [...set.organizationStarts].filter((id) => !set.organizations.has(id));
  for (const id of frontier) set.organizations.add(id);
  for (let level = 0; level < MAX_DEPTH && frontier.length > 0; level++) {
    const orgs = (await repo.readCurrent('Organization', frontier)) as Map<string, Organization>;
    const next: string[] = [];
    for (const org of orgs.values()) {
      for (const parent of idOf(org.partOf, 'Organization')) {
        if (set.organizations.has(parent)) continue;
        set.organizations.add(parent);
        next.push(parent);
      }
    }
    frontier = next;
  }
}

/** The current resources of `sourceType` whose `code` reference points to `targetType/id`. */
async function referencing(repo: Repository, sourceType: string, code: string, targetType: string, id: string): Promise<Resource[]> {
  const { resources } = await searchResources(repo.db, {
    resourceType: sourceType,
    filters: [{ kind: 'reference', code, values: [{ targetType, targetId: id }] }],
    count: MAX_RELATED,
    offset: 0,
    total: false,
  });
  return resources;
}

/**
 * Whether a resource with these anchors lies inside the perimeter: national; one of its regions; under one of
 * its organizations; one of its offers (which covers the Locations they list) or Locations.
 */
export function isInside(perimeter: Perimeter, anchors: Anchors): boolean {
  const any = (mine: string[], theirs: string[]): boolean => theirs.some((x) => mine.includes(x));
  return (
    perimeter.national ||
    any(perimeter.regions, anchors.regions) ||
    any(perimeter.organizations, anchors.organizations) ||
    any(perimeter.services, anchors.services) ||
    any(perimeter.locations, anchors.locations)
  );
}
