import type { Extension, Location } from '@medplum/fhirtypes';
import { codeOf, complexExtension, extensions, isoDateTime, nosConcept, replaceExtensions, sub } from './ext.ts';
import { EXT, SUB, VALUE_SET } from './urls.ts';

/** JDV_J187 natures de capacité. */
export const CAPACITY_TYPE = { lit: '01', place: '02' } as const;
/** JDV_J188 statuts de capacité. */
export const CAPACITY_STATUS = {
  installe: '01',
  disponible: '02',
  occupe: '03',
  reserve: '04',
  ferme: '05',
  supplementaire: '06',
} as const;
/** JDV_J189 temporalités. */
export const CAPACITY_TEMPORALITY = { courant: '01', h1: '02', h24: '03', h48: '04', j7: '05' } as const;
/** JDV_J193 types de source. */
export const CAPACITY_SOURCE = { saisieManuelle: '01', bedManagement: '02', gam: '03', dpi: '04' } as const;
/** JDV_J195 affectations temporaires. */
export const TEMPORARY_ASSIGNMENT = { aucune: '01', covidPositif: '02', covidNegatif: '03' } as const;

/**
 * One entry of `ror-location-supported-capacity` (CapacitePriseCharge + CapaciteAccueilOperationnelle):
 * a number of beds/places for one nature × statut × temporalité (× genre, type de fermeture, type de lit
 * supplémentaire, type de crise, affectation temporaire). All codes are those of their JDV.
 */
export interface CapacityEntry {
  /** natureCapacite, JDV_J187 */
  capacityType: string;
  /** statutCapacite, JDV_J188 */
  capacityStatus: string;
  /** temporaliteCapacite, JDV_J189 */
  temporality: string;
  nbCapacity: number;
  /** typeSourceCapacite, JDV_J193 */
  sourceType: string;
  /** genreCapaciteDispo, JDV_J190 */
  gender?: string;
  /** dateMAJCapacite (dateTime) */
  updateDate: string;
  /** typeFermetureCapacite, JDV_J191 (status 05 only) */
  closingType?: string;
  /** typeLitsSupplementaire, JDV_J192 (status 06 only) */
  additionalBedType?: string;
  /** typeCrise, JDV_J194 */
  crisisType?: string;
  /** affectationTemporaire, JDV_J195 */
  temporaryAssignment: string;
  /** commentaire (IG 0.7) */
  comment?: string;
}

/** The dimensions that identify an entry; the optional ones left out match any value. */
export type CapacityKey = Pick<CapacityEntry, 'capacityType' | 'capacityStatus' | 'temporality'> &
  Partial<Pick<CapacityEntry, 'gender' | 'closingType' | 'additionalBedType' | 'crisisType' | 'temporaryAssignment'>>;

const CODED: readonly [keyof CapacityEntry, string, string][] = [
  ['capacityType', SUB.supportedCapacity.capacityType, VALUE_SET.J187],
  ['capacityStatus', SUB.supportedCapacity.capacityStatus, VALUE_SET.J188],
  ['temporality', SUB.supportedCapacity.temporality, VALUE_SET.J189],
  ['sourceType', SUB.supportedCapacity.sourceType, VALUE_SET.J193],
  ['gender', SUB.supportedCapacity.gender, VALUE_SET.J190],
  ['closingType', SUB.supportedCapacity.closingType, VALUE_SET.J191],
  ['additionalBedType', SUB.supportedCapacity.additionalBedType, VALUE_SET.J192],
  ['crisisType', SUB.supportedCapacity.crisisType, VALUE_SET.J194],
  ['temporaryAssignment', SUB.supportedCapacity.temporaryAssignment, VALUE_SET.J195],
];

/** Builds one `ror-location-supported-capacity` extension. Throws on a bad code, count or date. */
export function buildCapacityExtension(entry: CapacityEntry): Extension {
  if (!Number.isInteger(entry.nbCapacity) || entry.nbCapacity < 0) {
    throw new Error(`nbCapacity must be a non-negative integer, got ${entry.nbCapacity}`);
  }
  const coded = (key: keyof CapacityEntry, name: string, vs: string): Extension | undefined => {
    const code = entry[key];
    if (code === undefined) return undefined;
    if (typeof code !== 'string') throw new Error(`${key} must be a code`);
    return { url: name, valueCodeableConcept: nosConcept(vs, code) };
  };
  const parts = CODED.map(([key, name, vs]) => coded(key, name, vs));
  return complexExtension(EXT.locationSupportedCapacity, [
    ...parts.slice(0, 3),
    { url: SUB.supportedCapacity.nbCapacity, valueInteger: entry.nbCapacity },
    ...parts.slice(3),
    { url: SUB.supportedCapacity.updateDate, valueDateTime: isoDateTime(entry.updateDate, 'capacityUpdateDate') },
    entry.comment === undefined ? undefined : { url: SUB.supportedCapacity.comment, valueString: entry.comment },
  ]);
}

/** The dimensions of one entry that tell who may see it (see filterCapacityExtensions). */
export type CapacityVisibilityKey = Partial<Pick<CapacityEntry, 'capacityStatus' | 'temporaryAssignment' | 'crisisType'>>;

function capacityCode(ext: Extension, name: string): string | undefined {
  const part = sub(ext, name);
  return codeOf(part?.valueCodeableConcept) ?? part?.valueCode;
}

/** Reads one entry; throws when a mandatory sub-extension is missing (validated data never has that). */
export function readCapacityExtension(ext: Extension): CapacityEntry {
  const code = (name: string): string | undefined => capacityCode(ext, name);
  const required = (name: string): string => {
    const value = code(name);
    if (value === undefined) throw new Error(`ror-location-supported-capacity entry without ${name}`);
    return value;
  };
  const nb = sub(ext, SUB.supportedCapacity.nbCapacity)?.valueInteger;
  if (nb === undefined) throw new Error(`ror-location-supported-capacity entry without ${SUB.supportedCapacity.nbCapacity}`);
  const updateDate = sub(ext, SUB.supportedCapacity.updateDate)?.valueDateTime;
  if (updateDate === undefined) throw new Error(`ror-location-supported-capacity entry without ${SUB.supportedCapacity.updateDate}`);
  const entry: CapacityEntry = {
    capacityType: required(SUB.supportedCapacity.capacityType),
    capacityStatus: required(SUB.supportedCapacity.capacityStatus),
    temporality: required(SUB.supportedCapacity.temporality),
    nbCapacity: nb,
    sourceType: required(SUB.supportedCapacity.sourceType),
    updateDate,
    temporaryAssignment: required(SUB.supportedCapacity.temporaryAssignment),
  };
  const gender = code(SUB.supportedCapacity.gender);
  if (gender !== undefined) entry.gender = gender;
  const closingType = code(SUB.supportedCapacity.closingType);
  if (closingType !== undefined) entry.closingType = closingType;
  const additionalBedType = code(SUB.supportedCapacity.additionalBedType);
  if (additionalBedType !== undefined) entry.additionalBedType = additionalBedType;
  const crisisType = code(SUB.supportedCapacity.crisisType);
  if (crisisType !== undefined) entry.crisisType = crisisType;
  const comment = sub(ext, SUB.supportedCapacity.comment)?.valueString;
  if (comment !== undefined) entry.comment = comment;
  return entry;
}

/**
 * A Location's extensions keeping the `ror-location-supported-capacity` entries that pass `keep` (the other
 * extensions in place). Returns `exts` itself when every entry passes.
 */
export function filterCapacityExtensions(exts: Extension[], keep: (key: CapacityVisibilityKey) => boolean): Extension[] {
  const kept = exts.filter((ext) => {
    if (ext.url !== EXT.locationSupportedCapacity) return true;
    const key: CapacityVisibilityKey = {};
    const status = capacityCode(ext, SUB.supportedCapacity.capacityStatus);
    if (status !== undefined) key.capacityStatus = status;
    const assignment = capacityCode(ext, SUB.supportedCapacity.temporaryAssignment);
    if (assignment !== undefined) key.temporaryAssignment = assignment;
    const crisis = capacityCode(ext, SUB.supportedCapacity.crisisType);
    if (crisis !== undefined) key.crisisType = crisis;
    return keep(key);
  });
  return kept.length === exts.length ? exts : kept;
}

/** All capacity entries of a Location, in order. */
export function getCapacities(location: Location): CapacityEntry[] {
  return extensions(location, EXT.locationSupportedCapacity).map(readCapacityExtension);
}

/** Replaces all capacity entries of a Location. Throws (and changes nothing) if one entry is invalid. */
export function setCapacities(location: Location, entries: CapacityEntry[]): void {
  replaceExtensions(location, EXT.locationSupportedCapacity, entries.map(buildCapacityExtension));
}

export function matchesCapacityKey(entry: CapacityEntry, key: CapacityKey): boolean {
  return (
    entry.capacityType === key.capacityType &&
    entry.capacityStatus === key.capacityStatus &&
    entry.temporality === key.temporality &&
    (key.gender === undefined || entry.gender === key.gender) &&
    (key.closingType === undefined || entry.closingType === key.closingType) &&
    (key.additionalBedType === undefined || entry.additionalBedType === key.additionalBedType) &&
    (key.crisisType === undefined || entry.crisisType === key.crisisType) &&
    (key.temporaryAssignment === undefined || entry.temporaryAssignment === key.temporaryAssignment)
  );
}

/** The first entry matching `key`, or `undefined`. */
export function findCapacity(location: Location, key: CapacityKey): CapacityEntry | undefined {
  return getCapacities(location).find((e) => matchesCapacityKey(e, key));
}

/** A string identifying an entry's full key (its eight dimensions), e.g. for de-duplication. */
export function capacityKeyOf(entry: CapacityEntry): string {
  return [
    entry.capacityType,
    entry.capacityStatus,
    entry.temporality,
    entry.gender ?? '',
    entry.closingType ?? '',
    entry.additionalBedType ?? '',
    entry.crisisType ?? '',
    entry.temporaryAssignment,
  ].join('|');
}
