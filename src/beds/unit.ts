import type { HealthcareService, Location } from '@medplum/fhirtypes';
import { currentCommune } from '../geo/communes.ts';
import type { GeoPoint } from '../geo/distance.ts';
import {
  CAPACITY_STATUS,
  CAPACITY_TEMPORALITY,
  TEMPORARY_ASSIGNMENT,
  readCapacityExtension,
  type CapacityEntry,
} from '../model/capacity.ts';
import { extensions } from '../model/ext.ts';
import { getActivite, getChampActivite, getPatientType, getTypeOffre, isSensitiveUnit } from '../model/healthcare-service.ts';
import { getCommuneCog, getLocationName, getManagingOrganization, getPosition } from '../model/location.ts';
import { getRegion } from '../model/meta.ts';
import { isClosedLocation } from '../model/rules.ts';
import { EXT } from '../model/urls.ts';

/** An offer run in a unit, as the board needs it. */
export interface UnitService {
  id: string;
  name: string;
  /** activité opérationnelle (TRE_R211) */
  activity?: string;
  /** type d'offre (TRE_R244) */
  unitType?: string;
  /** champ d'activité (TRE_R227) */
  champ?: string;
  sensitive: boolean;
  /** Patientèle age range in years, when stated in years. */
  ageLow?: number;
  ageHigh?: number;
}

/** A lieu with capacity entries: one row of the bed board. */
export interface BedUnit {
  id: string;
  versionId: string;
  lastUpdated: string;
  name: string;
  active: boolean;
  region?: string;
  department?: string;
  commune?: string;
  position?: GeoPoint;
  /** The établissement (EG) managing the lieu. */
  establishment?: { id: string; name?: string };
  services: UnitService[];
  entries: CapacityEntry[];
}

const ageInYears = (age: { value?: number; unit?: string } | undefined): number | undefined =>
  age?.value === undefined ? undefined : age.unit === 'a' ? age.value : age.unit === 'mo' ? age.value / 12 : age.unit === 'wk' ? age.value / 52 : age.unit === 'd' ? age.value / 365 : undefined;

export function unitService(hs: HealthcareService): UnitService {
  const s: UnitService = { id: hs.id as string, name: hs.name ?? hs.id ?? '', sensitive: isSensitiveUnit(hs) === true };
  const activity = getActivite(hs)?.code;
  if (activity !== undefined) s.activity = activity;
  const unitType = getTypeOffre(hs)?.code;
  if (unitType !== undefined) s.unitType = unitType;
  const champ = getChampActivite(hs)?.code;
  if (champ !== undefined) s.champ = champ;
  const range = getPatientType(hs)?.ageRange;
  const low = ageInYears(range?.low);
  const high = ageInYears(range?.high);
  if (low !== undefined) s.ageLow = low;
  if (high !== undefined) s.ageHigh = high;
  return s;
}

function departmentOf(cog: string | undefined): string | undefined {
  if (cog === undefined) return undefined;
  try {
    return currentCommune(cog)?.department ?? (cog.startsWith('97') ? cog.slice(0, 3) : cog.slice(0, 2));
  } catch {
    return undefined;
  }
}

/** The capacity entries of a stored Location; an entry that cannot be read (stored before validation) is left out. */
export function readableCapacities(location: Location): CapacityEntry[] {
  return extensions(location, EXT.locationSupportedCapacity).flatMap((ext) => {
    try {
      return [readCapacityExtension(ext)];
    } catch {
      return [];
    }
  });
}

/** The board row of a Location, or undefined when it has no capacity entry. */
export function bedUnitOf(location: Location, services: readonly HealthcareService[], establishmentName?: string): BedUnit | undefined {
  const entries = readableCapacities(location);
  if (entries.length === 0) return undefined;
  const unit: BedUnit = {
    id: location.id as string,
    versionId: location.meta?.versionId ?? '1',
    lastUpdated: location.meta?.lastUpdated ?? '',
    name: getLocationName(location) ?? location.id ?? '',
    active: location.status !== 'inactive' && location.status !== 'suspended' && !isClosedLocation(location),
    services: services.map(unitService),
    entries,
  };
  const region = getRegion(location);
  if (region !== undefined) unit.region = region;
  const commune = getCommuneCog(location);
  if (commune !== undefined) unit.commune = commune;
  const department = departmentOf(commune);
  if (department !== undefined) unit.department = department;
  const position = getPosition(location);
  if (position !== undefined) unit.position = { lat: position.latitude, lon: position.longitude };
  const eg = getManagingOrganization(location);
  const egId = eg?.startsWith('Organization/') ? eg.slice('Organization/'.length) : undefined;
  if (egId !== undefined) unit.establishment = establishmentName === undefined ? { id: egId } : { id: egId, name: establishmentName };
  return unit;
}

/** The current figures of one nature (lit / place) of a unit. Counts are null when the unit publishes none. */
export interface UnitFigures {
  /** natureCapacite, JDV_J187 */
  nature: string;
  installed: number | null;
  /** Disponible: the undifferentiated entry, or the sum of the per-genre entries when there is none. */
  available: number | null;
  occupied: number | null;
  reserved: number | null;
  closed: number | null;
  /** Supplementary beds: total and per typeLitsSupplementaire (JDV_J192). */
  supplementary: { total: number; byType: Record<string, number> };
  /** Disponible per genre (JDV_J190). */
  availableByGender: Record<string, number>;
  /** Disponible forecasts per temporalité (JDV_J189 02…05). */
  forecast: Record<string, number>;
  /** Date of the disponible figure (the oldest, when several). */
  updatedAt?: string;
  /** typeSourceCapacite (JDV_J193) of the disponible figure. */
  source?: string;
  comment?: string;
}

/** Crisis figures: entries with a crisis type or a temporary assignment (Covid+/−). */
export const isCrisisEntry = (e: CapacityEntry): boolean => e.crisisType !== undefined || e.temporaryAssignment !== TEMPORARY_ASSIGNMENT.aucune;

const sumOrNull = (entries: CapacityEntry[]): number | null => (entries.length === 0 ? null : entries.reduce((n, e) => n + e.nbCapacity, 0));

/** Undifferentiated entries (no genre, or genre 03 indifférencié) when there are any, else the per-genre ones. */
function headline(entries: CapacityEntry[]): CapacityEntry[] {
  const whole = entries.filter((e) => e.gender === undefined || e.gender === '03');
  return whole.length > 0 ? whole : entries;
}

/** The figures of a unit's ordinary entries (crisis ones aside), one per nature, lits first. */
export function unitFigures(entries: readonly CapacityEntry[]): UnitFigures[] {
  const natures = [...new Set(entries.map((e) => e.capacityType))].sort();
  return natures.map((nature) => {
    const own = entries.filter((e) => e.capacityType === nature && !isCrisisEntry(e));
    const current = own.filter((e) => e.temporality === CAPACITY_TEMPORALITY.courant);
    const of = (status: string): CapacityEntry[] => current.filter((e) => e.capacityStatus === status);
    const available = of(CAPACITY_STATUS.disponible);
    const supplementary = of(CAPACITY_STATUS.supplementaire);
    const byType: Record<string, number> = {};
    for (const e of supplementary) byType[e.additionalBedType ?? ''] = (byType[e.additionalBedType ?? ''] ?? 0) + e.nbCapacity;
    const availableByGender: Record<string, number> = {};
    for (const e of available) if (e.gender !== undefined) availableByGender[e.gender] = (availableByGender[e.gender] ?? 0) + e.nbCapacity;
    const forecast: Record<string, number> = {};
    for (const e of own) {
      if (e.temporality !== CAPACITY_TEMPORALITY.courant && e.capacityStatus === CAPACITY_STATUS.disponible) forecast[e.temporality] = (forecast[e.temporality] ?? 0) + e.nbCapacity;
    }
    const figures: UnitFigures = {
      nature,
      installed: sumOrNull(headline(of(CAPACITY_STATUS.installe))),
      available: sumOrNull(headline(available)),
      occupied: sumOrNull(headline(of(CAPACITY_STATUS.occupe))),
      reserved: sumOrNull(headline(of(CAPACITY_STATUS.reserve))),
      closed: sumOrNull(of(CAPACITY_STATUS.ferme)),
      supplementary: { total: supplementary.reduce((n, e) => n + e.nbCapacity, 0), byType },
      availableByGender,
      forecast,
    };
    const dated = [...available].sort((a, b) => Date.parse(a.updateDate) - Date.parse(b.updateDate))[0];
    if (dated) {
      figures.updatedAt = dated.updateDate;
      figures.source = dated.sourceType;
      if (dated.comment !== undefined) figures.comment = dated.comment;
    }
    return figures;
  });
}
