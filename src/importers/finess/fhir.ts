/**
 * FINESS → ROR FHIR resources. Every `merge*` function takes the current stored version (or undefined)
 * and returns the next one: FINESS-owned fields are (re)written in place, everything else — contacts,
 * other extensions, tags, referents' additions — is kept, so re-importing never erases their work and an
 * unchanged FINESS record yields a resource equal to the stored one.
 *
 * FINESS-owned: Organization identifiers idNatSt/FINESS/SIREN/SIRET, name (+ complement), type slices
 * statut juridique / catégorie / participation SPH, address, telecom, partOf, period, closing type,
 * active, creation date (EJ); Location name, address, commune COG, position (when the source has one),
 * managingOrganization, status, and the "installé" capacity entries of the équipements sociaux.
 * `alias` (nomOperationnel) is only filled when empty: it belongs to the referents afterwards.
 */
import type { Address, Coding, Extension, Identifier, Location, Organization } from '@medplum/fhirtypes';
import {
  buildAddress,
  buildCapacityExtension,
  buildSliceIdentifier,
  CAPACITY_SOURCE,
  CAPACITY_STATUS,
  CAPACITY_TEMPORALITY,
  CAPACITY_TYPE,
  DATA_ORIGIN_SYSTEM,
  EXT,
  getCreationDate,
  getOrganizationAddress,
  getOrganizationPeriod,
  isSlice,
  nosCoding,
  nosConcept,
  ORGANIZATION_IDENTIFIER,
  ORGANIZATION_TYPE_SLICES,
  readCapacityExtension,
  setCommuneCog,
  setCreationDate,
  setManagingOrganization,
  setOrganizationClosingType,
  setOrganizationName,
  setOrganizationPeriod,
  setOrganizationTelecoms,
  setPartOf,
  setPosition,
  setRorProfile,
  SYSTEM,
  TEMPORARY_ASSIGNMENT,
  VALUE_SET,
  type GeoPoint,
  type OrganizationIdentifierSlice,
  type OrganizationTypeSlice,
  type RorAddress,
  type RorTelecom,
} from '../../model/index.ts';
import { codingOf, extensions, replaceExtension, replaceExtensions } from '../../model/ext.ts';
import { hasCode } from '../../nos/index.ts';
import { regionOfInseeCode } from './geo.ts';
import type { EgSource, EjSource, EquipementSource, FinessAddress } from './source.ts';

/** A FINESS record that cannot become a valid ROR resource; the message is the reason reported. */
export class MappingError extends Error {}

export const ejId = (finess: string): string => `ej-${finess}`;
export const egId = (finess: string): string => `eg-${finess}`;
export const siteId = (finess: string): string => `site-${finess}`;

/** JDV_J201 type de fermeture used when FINESS says a structure is closed without saying how. */
export const FINESS_CLOSING_TYPE = 'NDI';

export interface MappingContext {
  /** ror-meta-creation-date of resources created by this import (dateTime). */
  createdAt: string;
}

/** Replaces the first element matching `match` in place, drops the other matches, appends when absent. */
function upsert<T>(items: T[] | undefined, match: (item: T) => boolean, value: T | undefined): T[] {
  const out: T[] = [];
  let placed = value === undefined;
  for (const item of items ?? []) {
    if (!match(item)) out.push(item);
    else if (!placed) {
      out.push(value as T);
      placed = true;
    }
  }
  if (!placed) out.push(value as T);
  return out;
}

function setTag(resource: Organization | Location, system: string, tag: Coding | undefined): void {
  const tags = upsert(resource.meta?.tag, (t) => t.system === system, tag);
  const meta = (resource.meta ??= {});
  if (tags.length > 0) meta.tag = tags;
  else delete meta.tag;
}

function applyFinessMeta(resource: Organization | Location, inseeCode: string, ctx: MappingContext): void {
  setRorProfile(resource);
  if (getCreationDate(resource) === undefined) setCreationDate(resource, ctx.createdAt);
  const region = regionOfInseeCode(inseeCode);
  setTag(resource, SYSTEM.regionOM, region === undefined ? undefined : nosCoding(VALUE_SET.J237, region));
  setTag(resource, DATA_ORIGIN_SYSTEM, { system: DATA_ORIGIN_SYSTEM, code: 'finess' });
}

function setIdentifier(org: Organization, slice: OrganizationIdentifierSlice, value: string | undefined): void {
  const def = ORGANIZATION_IDENTIFIER[slice];
  const ids: Identifier[] = upsert(org.identifier, (i) => isSlice(i, def), value === undefined ? undefined : buildSliceIdentifier(def, value));
  if (ids.length > 0) org.identifier = ids;
  else delete org.identifier;
}

function setType(org: Organization, slice: OrganizationTypeSlice, code: string | undefined): void {
  const def = ORGANIZATION_TYPE_SLICES[slice];
  const types = upsert(
    org.type,
    (t) => codingOf(t, def.systems) !== undefined,
    code === undefined ? undefined : nosConcept(def.valueSet, code, def.systems[0]),
  );
  if (types.length > 0) org.type = types;
  else delete org.type;
}

const POST_BOX = /^(BP|CS|TSA|CEDEX)\b/i;

function rorAddress(a: FinessAddress): RorAddress {
  const street = [a.numeroVoie, a.complementVoie, a.typeVoie, a.voie].filter((p) => p !== undefined).join(' ');
  // The printable line: the street, else what locates the place (a BP-only address has no street).
  const text = street || a.complementDistribution || a.lieuDitBp;
  const out: RorAddress = { inseeCode: a.inseeCode, postalCode: a.postalCode, city: a.city };
  if (text !== undefined) out.text = text;
  if (a.numeroVoie !== undefined) out.houseNumber = a.numeroVoie;
  if (a.complementVoie !== undefined) out.buildingNumberSuffix = a.complementVoie;
  if (a.typeVoie !== undefined) out.streetNameType = a.typeVoie;
  if (a.voie !== undefined) out.streetNameBase = a.voie;
  if (a.complementDistribution !== undefined) out.additionalLocator = a.complementDistribution;
  if (a.lieuDitBp !== undefined) {
    if (POST_BOX.test(a.lieuDitBp)) out.postBox = a.lieuDitBp;
    else out.lieuDit = a.lieuDitBp;
  }
  return out;
}

function telecoms(telephone: string | undefined, telecopie: string | undefined): RorTelecom[] {
  const out: RorTelecom[] = [];
  // JDV_J225: 1 téléphone mobile, 2 téléphone fixe, 6 télécopie; J222 1 accès libre.
  if (telephone !== undefined) out.push({ value: telephone, channel: /^0[67]/.test(telephone) ? '1' : '2', confidentiality: '1', system: 'phone' });
  if (telecopie !== undefined) out.push({ value: telecopie, channel: '6', confidentiality: '1', system: 'fax' });
  return out;
}

function roundCoordinate(v: number): number {
  return Math.round(v * 1e7) / 1e7;
}

function point(position: { lon: number; lat: number }): GeoPoint {
  return { latitude: roundCoordinate(position.lat), longitude: roundCoordinate(position.lon) };
}

/** Runs model setters, turning their errors (code outside a value set, malformed identifier) into MappingErrors. */
function mapping<T>(what: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof MappingError) throw e;
    throw new MappingError(`${what}: ${(e as Error).message}`);
  }
}

function setClosure(org: Organization, start: string | undefined, closingDate: string | undefined): void {
  setOrganizationPeriod(org, start === undefined && closingDate === undefined ? undefined : { ...(start && { start }), ...(closingDate && { end: closingDate }) });
  setOrganizationClosingType(org, closingDate === undefined ? undefined : FINESS_CLOSING_TYPE);
  org.active = closingDate === undefined;
}

function startOrganization(current: Organization | undefined, id: string): Organization {
  const org: Organization = current ? structuredClone(current) : { resourceType: 'Organization', id };
  org.id = id;
  return org;
}

/** The entité juridique `ej-<FINESS>`. */
export function mergeEj(current: Organization | undefined, src: EjSource, ctx: MappingContext): Organization {
  return mapping(`EJ ${src.finess}`, () => {
    const org = startOrganization(current, ejId(src.finess));
    const insee = src.address?.inseeCode;
    if (insee === undefined) throw new MappingError(`EJ ${src.finess}: no address, the source region cannot be known`);
    applyFinessMeta(org, insee, ctx);
    setIdentifier(org, 'idNatSt', `1${src.finess}`);
    setIdentifier(org, 'finess', src.finess);
    setIdentifier(org, 'siren', src.siren);
    setType(org, 'statutJuridiqueINSEE', src.statutJuridique?.code);
    setOrganizationName(org, src.longName ?? src.name, src.additionalName);
    setOrganizationTelecoms(org, telecoms(src.telephone, src.telecopie));
    org.address = src.address ? [buildAddress(rorAddress(src.address))] : [];
    if (org.address.length === 0) delete org.address;
    replaceExtension(
      org,
      EXT.organizationCreationDate,
      src.creationDate === undefined ? undefined : { url: EXT.organizationCreationDate, valueDate: src.creationDate },
    );
    setClosure(org, undefined, src.closingDate);
    return org;
  });
}

/** The entité géographique `eg-<FINESS ET>`, part of its EJ. */
export function mergeEg(current: Organization | undefined, src: EgSource, ctx: MappingContext): Organization {
  return mapping(`EG ${src.finess}`, () => {
    const org = startOrganization(current, egId(src.finess));
    applyFinessMeta(org, src.address.inseeCode, ctx);
    setIdentifier(org, 'idNatSt', `1${src.finess}`);
    setIdentifier(org, 'finess', src.finess);
    setIdentifier(org, 'siret', src.siret);
    setType(org, 'categorieEtablissement', src.category.code);
    setType(org, 'sphParticipation', src.sph && hasCode(VALUE_SET.J202, SYSTEM.espic, src.sph.code) ? src.sph.code : undefined);
    const name = src.longName ?? src.name;
    setOrganizationName(org, name, src.additionalName);
    if (!org.alias?.length && src.name !== name) org.alias = [src.name];
    setOrganizationTelecoms(org, telecoms(src.telephone, src.telecopie));
    const geolocation = src.position ? point(src.position) : current && getOrganizationAddress(current)?.geolocation;
    org.address = [buildAddress(rorAddress(src.address), geolocation)];
    setPartOf(org, `Organization/${ejId(src.finessEj)}`);
    setClosure(org, src.openingDate, src.closingDate);
    return org;
  });
}

/** The site Location `site-<FINESS ET>` of an EG: where it is, managed by the EG. */
export function mergeSite(current: Location | undefined, src: EgSource, ctx: MappingContext): Location {
  return mapping(`site ${src.finess}`, () => {
    const loc: Location = current ? structuredClone(current) : { resourceType: 'Location', id: siteId(src.finess) };
    loc.id = siteId(src.finess);
    applyFinessMeta(loc, src.address.inseeCode, ctx);
    loc.status = src.closingDate === undefined ? 'active' : 'inactive';
    loc.name = src.longName ?? src.name;
    const address: Address = buildAddress(rorAddress(src.address));
    loc.address = address;
    if (src.position) setPosition(loc, point(src.position));
    setManagingOrganization(loc, `Organization/${egId(src.finess)}`);
    setCommuneCog(loc, src.address.inseeCode);
    return loc;
  });
}

/** Types d'activité (FINESS `ta`) counted in beds: hébergement complet, accueil de nuit, temporaire avec hébergement. */
const BED_ACTIVITY_TYPES = new Set(['11', '22', '40', '43']);

function isFinessCapacity(ext: Extension): boolean {
  return readCapacityExtension(ext).capacityStatus === CAPACITY_STATUS.installe;
}

/**
 * Replaces the "installé / courant" capacity entries of a site by the totals of its équipements sociaux
 * (beds for accommodation activity types, places otherwise); other capacity entries are kept in place.
 */
export function mergeCapacities(current: Location, equipements: readonly EquipementSource[], updateDate: string): Location {
  return mapping(`site ${current.id ?? ''}`, () => {
    const loc = structuredClone(current);
    const totals = new Map<string, number>();
    for (const e of equipements) {
      const type = BED_ACTIVITY_TYPES.has(e.ta.code) ? CAPACITY_TYPE.lit : CAPACITY_TYPE.place;
      totals.set(type, (totals.get(type) ?? 0) + e.capinstot);
    }
    const entries = [CAPACITY_TYPE.lit, CAPACITY_TYPE.place].flatMap((type) => {
      const nb = totals.get(type);
      return nb === undefined
        ? []
        : [
            buildCapacityExtension({
              capacityType: type,
              capacityStatus: CAPACITY_STATUS.installe,
              temporality: CAPACITY_TEMPORALITY.courant,
              nbCapacity: nb,
              sourceType: CAPACITY_SOURCE.saisieManuelle,
              updateDate,
              temporaryAssignment: TEMPORARY_ASSIGNMENT.aucune,
            }),
          ];
    });
    const existing = extensions(loc, EXT.locationSupportedCapacity);
    const firstOwned = existing.findIndex(isFinessCapacity);
    const kept = existing.filter((e) => !isFinessCapacity(e));
    const at = firstOwned < 0 ? kept.length : existing.slice(0, firstOwned).filter((e) => !isFinessCapacity(e)).length;
    replaceExtensions(loc, EXT.locationSupportedCapacity, [...kept.slice(0, at), ...entries, ...kept.slice(at)]);
    return loc;
  });
}

/** Whether an Organization is already closed (period end set). */
export function isClosed(org: Organization): boolean {
  return getOrganizationPeriod(org)?.end !== undefined;
}

/** Marks a structure missing from a newer full stock as closed on `date` (never deletes it). */
export function closeOrganization(current: Organization, date: string): Organization {
  const org = structuredClone(current);
  setClosure(org, getOrganizationPeriod(org)?.start, date);
  return org;
}

export function closeSite(current: Location): Location {
  const loc = structuredClone(current);
  loc.status = 'inactive';
  return loc;
}
