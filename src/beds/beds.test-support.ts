import type { Location, Resource } from '@medplum/fhirtypes';
import { buildHealthcareService, buildLocation, buildOrganization, CAPACITY_STATUS, type CapacityEntry } from '../model/index.ts';

/**
 * A small bed board: the CHU de Nantes (EG 440000271, region 52, department 44) with an adult réanimation
 * (activité 127, type d'offre 121), a USIC (354 / 262) and a sensitive unit, and the CHU de Rennes (EG
 * 350000741, region 53) with a réanimation. Figures are dated relative to `now`.
 */
export const BEDS = {
  nantes: { ej: 'ej-440000289', eg: 'eg-440000271', region: '52', department: '44', commune: '44109' },
  rennes: { ej: 'ej-350005179', eg: 'eg-350000741', region: '53', department: '35', commune: '35238' },
  units: {
    rea: 'loc-nantes-rea',
    usic: 'loc-nantes-usic',
    sensitive: 'loc-nantes-sensible',
    rennes: 'loc-rennes-rea',
  },
} as const;

const CREATED = '2024-01-15T09:00:00Z';
const HOUR = 3_600_000;

export function entry(status: string, nb: number, updatedAt: Date, extra: Partial<CapacityEntry> = {}): CapacityEntry {
  return { capacityType: '01', capacityStatus: status, temporality: '01', nbCapacity: nb, sourceType: '02', updateDate: updatedAt.toISOString(), temporaryAssignment: '01', ...extra };
}

/** Installed, available and occupied figures of one unit, all dated `updatedAt`. */
export function figures(installed: number, available: number, updatedAt: Date): CapacityEntry[] {
  return [entry(CAPACITY_STATUS.installe, installed, updatedAt), entry(CAPACITY_STATUS.disponible, available, updatedAt), entry(CAPACITY_STATUS.occupe, installed - available, updatedAt)];
}

type Site = (typeof BEDS)['nantes' | 'rennes'];

export function unitLocation(site: Site, id: string, name: string, capacities: CapacityEntry[], position: { latitude: number; longitude: number }): Location {
  return buildLocation({
    id,
    identifier: `${site.region}/${id}`,
    name,
    status: 'active',
    managingOrganization: `Organization/${site.eg}`,
    communeCog: site.commune,
    position,
    capacities,
    region: site.region,
    createdAt: CREATED,
  });
}

function unitOffer(site: Site, id: string, location: string, name: string, activite: string, typeOffre: string, sensitive = false): Resource {
  return buildHealthcareService({
    id,
    identifier: `${site.region}/${id}`,
    name,
    providedBy: `Organization/${site.eg}`,
    locations: [`Location/${location}`],
    champActivite: '01',
    activite,
    typeOffre,
    careMode: '28',
    patientType: { ageRange: { low: { value: 18, unit: 'a' }, high: { value: 120, unit: 'a' } } },
    sensitiveUnit: sensitive,
    ...(sensitive ? {} : { telecoms: [{ value: '0240000000', channel: '2', confidentiality: '1' }] }),
    region: site.region,
    createdAt: CREATED,
  });
}

const NANTES = { latitude: 47.21198, longitude: -1.5541 };
const RENNES = { latitude: 48.1199, longitude: -1.6936 };

/**
 * The dataset: Nantes réanimation 20 installed / 3 available an hour ago; USIC 12 / 0 (saturated) 30 hours
 * ago (stale for a day's interval); the sensitive unit 8 / 2; Rennes réanimation 16 / 5, 60 hours ago (unknown).
 */
export function bedsDataset(now: Date): Resource[] {
  const { nantes, rennes, units } = BEDS;
  const ago = (hours: number): Date => new Date(now.getTime() - hours * HOUR);
  return [
    buildOrganization({ id: nantes.ej, kind: 'EJ', finess: '440000289', name: 'CHU DE NANTES', statutJuridique: '14', region: nantes.region, createdAt: CREATED }),
    buildOrganization({ id: nantes.eg, kind: 'EG', finess: '440000271', name: 'CHU de Nantes — Hôtel-Dieu', category: '355', partOf: `Organization/${nantes.ej}`, region: nantes.region, createdAt: CREATED }),
    buildOrganization({ id: rennes.ej, kind: 'EJ', finess: '350005179', name: 'CHU DE RENNES', statutJuridique: '14', region: rennes.region, createdAt: CREATED }),
    buildOrganization({ id: rennes.eg, kind: 'EG', finess: '350000741', name: 'CHU de Rennes — Pontchaillou', category: '355', partOf: `Organization/${rennes.ej}`, region: rennes.region, createdAt: CREATED }),
    unitLocation(nantes, units.rea, 'Réanimation médicale — Nantes', figures(20, 3, ago(1)), NANTES),
    unitOffer(nantes, 'hs-nantes-rea', units.rea, 'Réanimation polyvalente adulte', '127', '121'),
    unitLocation(nantes, units.usic, 'USIC — Nantes', figures(12, 0, ago(30)), NANTES),
    unitOffer(nantes, 'hs-nantes-usic', units.usic, 'Soins intensifs de cardiologie', '354', '262'),
    unitLocation(nantes, units.sensitive, 'Unité protégée — Nantes', figures(8, 2, ago(1)), NANTES),
    unitOffer(nantes, 'hs-nantes-sensible', units.sensitive, 'Unité sensible', '127', '121', true),
    unitLocation(rennes, units.rennes, 'Réanimation — Rennes', figures(16, 5, ago(60)), RENNES),
    unitOffer(rennes, 'hs-rennes-rea', units.rennes, 'Réanimation polyvalente adulte', '127', '121'),
  ];
}
