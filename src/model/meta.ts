import type { Coding, HealthcareService, Location, Organization, Practitioner, PractitionerRole, Task } from '@medplum/fhirtypes';
import { extension, isoDateTime, nosCoding, replaceExtension } from './ext.ts';
import { DATA_ORIGIN_SYSTEM, DATA_ORIGINS, type DataOrigin, EXT, PROFILE, SYSTEM, VALUE_SET } from './urls.ts';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** The resources the ROR profiles. */
export type RorResource = Organization | HealthcareService | Location | Practitioner | PractitionerRole | Task;
export type RorResourceType = RorResource['resourceType'];

/** Profile canonical URL of a ROR resource type. */
export function profileOf(resourceType: RorResourceType): string {
  switch (resourceType) {
    case 'Organization':
      return PROFILE.organization;
    case 'HealthcareService':
      return PROFILE.healthcareService;
    case 'Location':
      return PROFILE.location;
    case 'Practitioner':
      return PROFILE.practitioner;
    case 'PractitionerRole':
      return PROFILE.practitionerRole;
    case 'Task':
      return PROFILE.task;
  }
}

/** Declares the ROR profile in `meta.profile` (once). */
export function setRorProfile(resource: RorResource): void {
  const url = profileOf(resource.resourceType);
  const meta = (resource.meta ??= {});
  if (!meta.profile?.includes(url)) meta.profile = [...(meta.profile ?? []), url];
}

/** `ror-meta-creation-date`: date of creation in the regional ROR (Metadonnee.dateCreation). */
export function getCreationDate(resource: RorResource): string | undefined {
  if (resource.resourceType === 'Task') return undefined;
  return extension(resource, EXT.metaCreationDate)?.valueDateTime;
}

export function setCreationDate(resource: Exclude<RorResource, Task>, dateTime: string): void {
  replaceExtension(resource, EXT.metaCreationDate, {
    url: EXT.metaCreationDate,
    valueDateTime: isoDateTime(dateTime, 'ror-meta-creation-date'),
  });
}

function tags(resource: RorResource): Coding[] {
  return resource.meta?.tag ?? [];
}

function replaceTag(resource: RorResource, system: string, tag: Coding | undefined): void {
  const kept = tags(resource).filter((t) => t.system !== system);
  const next = tag ? [...kept, tag] : kept;
  if (next.length > 0) (resource.meta ??= {}).tag = next;
  else if (resource.meta) delete resource.meta.tag;
}

/** Source region (`meta.tag` codeRegion, JDV_J237 / TRE_R30 code, e.g. "11" Île-de-France), searchable with `_tag`. */
export function getRegion(resource: RorResource): string | undefined {
  return tags(resource).find((t) => t.system === SYSTEM.regionOM)?.code;
}

export function setRegion(resource: RorResource, regionCode: string | undefined): void {
  replaceTag(resource, SYSTEM.regionOM, regionCode === undefined ? undefined : nosCoding(VALUE_SET.J237, regionCode));
}

/** Origin of the data (`meta.tag` of `urn:ror:data-origin`, see {@link DATA_ORIGIN_SYSTEM}). */
export function getDataOrigin(resource: RorResource): DataOrigin | undefined {
  const code = tags(resource).find((t) => t.system === DATA_ORIGIN_SYSTEM)?.code;
  return DATA_ORIGINS.find((o) => o === code);
}

export function setDataOrigin(resource: RorResource, origin: DataOrigin | undefined): void {
  if (origin !== undefined && !DATA_ORIGINS.includes(origin)) throw new Error(`Unknown data origin "${String(origin)}"`);
  replaceTag(resource, DATA_ORIGIN_SYSTEM, origin === undefined ? undefined : { system: DATA_ORIGIN_SYSTEM, code: origin });
}

/** Whether the resource is generated demo data. */
export function isSynthetic(resource: RorResource): boolean {
  return getDataOrigin(resource) === 'synthetic';
}

/** Metadata every builder accepts. */
export interface MetaInput {
  id?: string;
  /** ror-meta-creation-date; defaults to now */
  createdAt?: string;
  /** meta.lastUpdated (the store stamps its own on write); defaults to `createdAt` */
  lastUpdated?: string;
  /** JDV_J237 region code of the source ROR */
  region?: string;
  origin?: DataOrigin;
}

/** Applies {@link MetaInput} and the profile to a freshly built resource. */
export function applyMeta(resource: Exclude<RorResource, Task>, input: MetaInput): void {
  if (input.id !== undefined) resource.id = input.id;
  setRorProfile(resource);
  const createdAt = input.createdAt ?? new Date().toISOString();
  setCreationDate(resource, createdAt);
  const lastUpdated = input.lastUpdated ?? (createdAt.includes('T') ? createdAt : new Date(createdAt).toISOString());
  if (!INSTANT.test(lastUpdated)) throw new Error(`meta.lastUpdated must be a FHIR instant (date, time and zone), got "${lastUpdated}"`);
  (resource.meta ??= {}).lastUpdated = lastUpdated;
  if (input.region !== undefined) setRegion(resource, input.region);
  if (input.origin !== undefined) setDataOrigin(resource, input.origin);
}
