import type { Coding, Extension, Location } from '@medplum/fhirtypes';
import { buildAddress, checkCommuneCode, checkPoint, type GeoPoint, readAddress, type RorAddress } from './address.ts';
import { type CapacityEntry, setCapacities } from './capacity.ts';
import { codeOf, complexExtension, extension, extensions, nosCoding, nosConcept, replaceExtension, replaceExtensions, sub } from './ext.ts';
import { buildTypedIdentifier, IDENTIFIER_TYPE } from './identifier.ts';
import { applyMeta, type MetaInput } from './meta.ts';
import { buildTelecom, readTelecom, type RorTelecom, type RorTelecomRead } from './telecom.ts';
import { EXT, SUB, SYSTEM, VALUE_SET } from './urls.ts';

/** JDV_J224 statuts du lieu. */
export const LOCATION_STATUS = { closedDefinitively: '1', closedTemporarily: '2', operational: '3' } as const;

/** A limit of an equipment type (poids / diamètre maximum, JDV_J228) with its UCUM unit. */
export interface EquipmentLimit {
  feature: string;
  value: number;
  /** UCUM code, e.g. "kg", "cm" */
  unit: string;
}

/** An équipement spécifique (JDV_J18) of a lieu. */
export interface Equipment {
  type: string;
  nbInService?: number;
  limits?: EquipmentLimit[];
}

/** A capacité d'habitation (JDV_J32). */
export interface ResidentialCapacity {
  type: string;
  number?: number;
}

export interface LocationInput extends MetaInput {
  name?: string;
  description?: string;
  /** identifiant du lieu (type 25) */
  identifier?: string;
  /** idExterneSynchro: bed-zone id in the facility's system (type 26) */
  externalSyncId?: string;
  /** nomExterneSynchro */
  externalSyncName?: string;
  /** fonctionLieu, JDV_J198 */
  type?: string;
  /** statut, JDV_J224 */
  operationalStatus?: string;
  status?: Location['status'];
  managingOrganization?: string;
  partOf?: string;
  address?: RorAddress;
  position?: GeoPoint;
  /** communeCog (mandatory): COG code of the commune */
  communeCog: string;
  telecoms?: RorTelecom[];
  equipments?: Equipment[];
  residentialCapacities?: ResidentialCapacity[];
  capacities?: CapacityEntry[];
  comment?: string;
}

/** Builds a RORLocation. Throws on a code outside its NOS value set or a malformed value. */
export function buildLocation(input: LocationInput): Location {
  const location: Location = { resourceType: 'Location' };
  applyMeta(location, input);
  const ids = [];
  if (input.identifier !== undefined) ids.push(buildTypedIdentifier(IDENTIFIER_TYPE.lieu, input.identifier));
  if (input.externalSyncId !== undefined) ids.push(buildTypedIdentifier(IDENTIFIER_TYPE.zoneHebergement, input.externalSyncId));
  if (ids.length > 0) location.identifier = ids;
  if (input.status !== undefined) location.status = input.status;
  if (input.operationalStatus !== undefined) setOperationalStatus(location, input.operationalStatus);
  if (input.name !== undefined) location.name = input.name;
  if (input.externalSyncName !== undefined) location.alias = [input.externalSyncName];
  if (input.description !== undefined) location.description = input.description;
  if (input.type !== undefined) location.type = [nosConcept(VALUE_SET.J198, input.type)];
  if (input.telecoms !== undefined) setLocationTelecoms(location, input.telecoms);
  if (input.address !== undefined) location.address = buildAddress(input.address);
  if (input.position !== undefined) setPosition(location, input.position);
  if (input.managingOrganization !== undefined) location.managingOrganization = { reference: input.managingOrganization };
  if (input.partOf !== undefined) location.partOf = { reference: input.partOf };
  setCommuneCog(location, input.communeCog);
  if (input.equipments !== undefined) setEquipments(location, input.equipments);
  if (input.residentialCapacities !== undefined) setResidentialCapacities(location, input.residentialCapacities);
  if (input.capacities !== undefined) setCapacities(location, input.capacities);
  if (input.comment !== undefined) setLocationComment(location, input.comment);
  return location;
}

export function getLocationName(location: Location): string | undefined {
  return location.name;
}

export function setLocationName(location: Location, name: string | undefined): void {
  if (name === undefined) delete location.name;
  else location.name = name;
}

/** statut (operationalStatus, JDV_J224). */
export function getOperationalStatus(location: Location): Coding | undefined {
  return location.operationalStatus;
}

export function setOperationalStatus(location: Location, code: string | undefined): void {
  if (code === undefined) delete location.operationalStatus;
  else location.operationalStatus = nosCoding(VALUE_SET.J224, code);
}

/** communeCog (ror-commune-cog). */
export function getCommuneCog(location: Location): string | undefined {
  return codeOf(extension(location, EXT.communeCog)?.valueCodeableConcept);
}

export function setCommuneCog(location: Location, code: string): void {
  checkCommuneCode(code, 'communeCog');
  replaceExtension(location, EXT.communeCog, {
    url: EXT.communeCog,
    valueCodeableConcept: { coding: [{ system: SYSTEM.communeOM, code }] },
  });
}

/** coordonneeGeographique (+ coordonneesFiables). */
export function getPosition(location: Location): GeoPoint | undefined {
  const p = location.position;
  if (p?.latitude === undefined || p.longitude === undefined) return undefined;
  const reliable = extension(p, EXT.coordinateReliability)?.valueBoolean;
  return reliable === undefined ? { latitude: p.latitude, longitude: p.longitude } : { latitude: p.latitude, longitude: p.longitude, reliable };
}

export function setPosition(location: Location, point: GeoPoint | undefined): void {
  if (point === undefined) {
    delete location.position;
    return;
  }
  checkPoint(point);
  location.position = { longitude: point.longitude, latitude: point.latitude };
  if (point.reliable !== undefined) location.position.extension = [{ url: EXT.coordinateReliability, valueBoolean: point.reliable }];
}

export function getManagingOrganization(location: Location): string | undefined {
  return location.managingOrganization?.reference;
}

export function setManagingOrganization(location: Location, reference: string | undefined): void {
  if (reference === undefined) delete location.managingOrganization;
  else location.managingOrganization = { reference };
}

export function getLocationAddress(location: Location): RorAddress | undefined {
  return location.address ? readAddress(location.address) : undefined;
}

export function getLocationTelecoms(location: Location): RorTelecomRead[] {
  return (location.telecom ?? []).map(readTelecom);
}

export function setLocationTelecoms(location: Location, telecoms: RorTelecom[]): void {
  if (telecoms.length === 0) delete location.telecom;
  else location.telecom = telecoms.map(buildTelecom);
}

function buildEquipment(e: Equipment): Extension {
  if (e.nbInService !== undefined && (!Number.isInteger(e.nbInService) || e.nbInService < 0)) {
    throw new Error(`nbInService must be a non-negative integer, got ${e.nbInService}`);
  }
  return complexExtension(EXT.locationEquipment, [
    { url: SUB.equipment.type, valueCodeableConcept: nosConcept(VALUE_SET.J18, e.type) },
    e.nbInService === undefined ? undefined : { url: SUB.equipment.nbInService, valueInteger: e.nbInService },
    ...(e.limits ?? []).map((l) => {
      if (!Number.isFinite(l.value) || l.value < 0) throw new Error(`Equipment limit must be a non-negative number, got ${l.value}`);
      return complexExtension(EXT.locationEquipmentLimit, [
        { url: SUB.equipmentLimit.feature, valueCodeableConcept: nosConcept(VALUE_SET.J228, l.feature) },
        { url: SUB.equipmentLimit.value, valueQuantity: { value: l.value, unit: l.unit, system: 'http://unitsofmeasure.org', code: l.unit } },
      ]);
    }),
  ]);
}

/** équipements spécifiques (ror-location-equipment). */
export function getEquipments(location: Location): Partial<Equipment>[] {
  return extensions(location, EXT.locationEquipment).map((ext) => {
    const read: Partial<Equipment> = {};
    const type = codeOf(sub(ext, SUB.equipment.type)?.valueCodeableConcept);
    if (type !== undefined) read.type = type;
    const nb = sub(ext, SUB.equipment.nbInService)?.valueInteger;
    if (nb !== undefined) read.nbInService = nb;
    const limits = extensions(ext, EXT.locationEquipmentLimit).flatMap((l) => {
      const feature = codeOf(sub(l, SUB.equipmentLimit.feature)?.valueCodeableConcept);
      const q = sub(l, SUB.equipmentLimit.value)?.valueQuantity;
      const unit = q?.code ?? q?.unit;
      return feature !== undefined && q?.value !== undefined && unit !== undefined ? [{ feature, value: q.value, unit }] : [];
    });
    if (limits.length > 0) read.limits = limits;
    return read;
  });
}

export function setEquipments(location: Location, equipments: Equipment[]): void {
  replaceExtensions(location, EXT.locationEquipment, equipments.map(buildEquipment));
}

/** capacités d'habitation (ror-location-residential-capacity). */
export function getResidentialCapacities(location: Location): Partial<ResidentialCapacity>[] {
  return extensions(location, EXT.locationResidentialCapacity).map((ext) => {
    const read: Partial<ResidentialCapacity> = {};
    const type = codeOf(sub(ext, SUB.residentialCapacity.type)?.valueCodeableConcept);
    if (type !== undefined) read.type = type;
    const number = sub(ext, SUB.residentialCapacity.number)?.valueInteger;
    if (number !== undefined) read.number = number;
    return read;
  });
}

export function setResidentialCapacities(location: Location, capacities: ResidentialCapacity[]): void {
  replaceExtensions(
    location,
    EXT.locationResidentialCapacity,
    capacities.map((c) => {
      if (c.number !== undefined && (!Number.isInteger(c.number) || c.number < 0)) {
        throw new Error(`residentialNumber must be a non-negative integer, got ${c.number}`);
      }
      return complexExtension(EXT.locationResidentialCapacity, [
        { url: SUB.residentialCapacity.type, valueCodeableConcept: nosConcept(VALUE_SET.J32, c.type) },
        c.number === undefined ? undefined : { url: SUB.residentialCapacity.number, valueInteger: c.number },
      ]);
    }),
  );
}

/** commentaire (ror-comment, IG 0.7). */
export function getLocationComment(location: Location): string | undefined {
  return extension(location, EXT.comment)?.valueString;
}

export function setLocationComment(location: Location, comment: string | undefined): void {
  replaceExtension(location, EXT.comment, comment === undefined ? undefined : { url: EXT.comment, valueString: comment });
}
