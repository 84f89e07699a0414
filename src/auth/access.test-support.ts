import type { Resource, Task } from '@medplum/fhirtypes';
import {
  buildHealthcareService,
  buildLocation,
  buildOrganization,
  buildPractitioner,
  buildPractitionerRole,
  buildTask,
  CAPACITY_STATUS,
  type CapacityEntry,
  OI_TYPE,
  SYSTEM,
} from '../model/index.ts';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { Repository } from '../store/repository.ts';
import { EMPTY_PERIMETER, ROLE_SCOPES, type AccessProfile, type Perimeter, type Principal, type Role, type Scope } from './principal.ts';

/**
 * Two établissements in two regions, each with a pôle, a service, a unit, an offer of réanimation with its
 * Location and capacities, a practitioner and its role, an anomaly report, and (A only) a sensitive offer.
 */
export type SideName = 'A' | 'B';

export interface Side {
  region: string;
  ej: string;
  eg: string;
  pole: string;
  service: string;
  /** A leaf OI (unité fonctionnelle) nothing hangs from. */
  unit: string;
  offer: string;
  location: string;
  practitioner: string;
  role: string;
  task: string;
  /** A role naming a Practitioner that does not exist yet (`newPractitioner`). */
  newRole: string;
  newPractitioner: string;
}

const side = (s: string, region: string, ejFiness: string, egFiness: string): Side => ({
  region,
  ej: `ej-${ejFiness}`,
  eg: `eg-${egFiness}`,
  pole: `oi-${s}-pole`,
  service: `oi-${s}-rea`,
  unit: `oi-${s}-uf`,
  offer: `hs-${s}-rea`,
  location: `loc-${s}-rea`,
  practitioner: `prac-${s}`,
  role: `pr-${s}-rea`,
  task: `task-${s}`,
  newRole: `pr-${s}-new`,
  newPractitioner: `prac-${s}-new`,
});

export const SIDES: Record<SideName, Side> = {
  A: side('a', '52', '440000289', '440000271'),
  B: side('b', '53', '350005179', '350000741'),
};

/** The sensitive offer of A, its Location and its role. */
export const SENSITIVE = { offer: 'hs-a-psy', location: 'loc-a-psy', role: 'pr-a-psy' };

const CREATED = '2024-01-15T09:00:00Z';
const COMMUNE: Record<SideName, string> = { A: '44109', B: '35238' };

export function capacity(status: string, nb: number): CapacityEntry {
  return { capacityType: '01', capacityStatus: status, temporality: '01', nbCapacity: nb, sourceType: '01', updateDate: CREATED, temporaryAssignment: '01' };
}

export function organizationInternal(name: SideName, id: string, oiType: string, partOf: string): Resource {
  const { region } = SIDES[name];
  return buildOrganization({ id, kind: 'OI', oiType, name: `OI ${id}`, oiIdentifier: `${region}/${id}`, partOf: `Organization/${partOf}`, region, createdAt: CREATED });
}

export function offer(name: SideName, id: string, providedBy: string, location: string, sensitive = false): Resource {
  const { region } = SIDES[name];
  return buildHealthcareService({
    id,
    identifier: `${region}/${id}`,
    name: sensitive ? 'Psychiatrie — unité sensible' : 'Réanimation adulte',
    providedBy: `Organization/${providedBy}`,
    locations: [`Location/${location}`],
    champActivite: '01',
    activite: '183',
    careMode: '28',
    patientType: { ageRange: { low: { value: 18, unit: 'a' }, high: { value: 120, unit: 'a' } } },
    sensitiveUnit: sensitive,
    telecoms: [{ value: '0240000000', channel: '2', confidentiality: '3' }],
    region,
    createdAt: CREATED,
  });
}

export function location(name: SideName, id: string): Resource {
  const s = SIDES[name];
  return buildLocation({
    id,
    identifier: `${s.region}/${id}`,
    name: `Lieu ${id}`,
    status: 'active',
    managingOrganization: `Organization/${s.eg}`,
    communeCog: COMMUNE[name],
    capacities: [capacity(CAPACITY_STATUS.installe, 10), capacity(CAPACITY_STATUS.disponible, 3)],
    region: s.region,
    createdAt: CREATED,
  });
}

export function practitioner(name: SideName, id: string, rpps: string): Resource {
  return buildPractitioner({ id, idNatPs: `8${rpps}`, family: 'Martin', given: ['Claire'], region: SIDES[name].region, createdAt: CREATED });
}

export function role(name: SideName, id: string, practitionerId: string, offerId: string): Resource {
  const s = SIDES[name];
  return buildPractitionerRole({
    id,
    identifier: `${s.region}/${id}`,
    practitioner: `Practitioner/${practitionerId}`,
    healthcareService: `HealthcareService/${offerId}`,
    organization: `Organization/${s.eg}`,
    profession: '10',
    expertiseType: 'S',
    unitExerciseMode: 'S',
    region: s.region,
    createdAt: CREATED,
  });
}

export function task(id: string | undefined, focus: string): Task {
  return buildTask({
    ...(id !== undefined ? { id } : {}),
    focus,
    status: 'requested',
    businessStatus: { system: SYSTEM.statutMetierAnomalie, code: '01' },
    code: { system: SYSTEM.thematiqueAnomalie, code: '06' },
    reasonCode: { system: SYSTEM.actionAnomalie, code: 'COR' },
    systemRequester: 'IHM',
    authoredOn: CREATED,
    lastModified: CREATED,
  });
}

function sideResources(name: SideName, finess: { ej: string; eg: string }, rpps: string): Resource[] {
  const s = SIDES[name];
  return [
    buildOrganization({ id: s.ej, kind: 'EJ', finess: finess.ej, name: `CHU ${name}`, statutJuridique: '14', region: s.region, createdAt: CREATED }),
    buildOrganization({ id: s.eg, kind: 'EG', finess: finess.eg, name: `CHU ${name} — site principal`, category: '355', partOf: `Organization/${s.ej}`, region: s.region, createdAt: CREATED }),
    organizationInternal(name, s.pole, OI_TYPE.pole, s.eg),
    organizationInternal(name, s.service, OI_TYPE.service, s.pole),
    organizationInternal(name, s.unit, OI_TYPE.uniteFonctionnelle, s.service),
    location(name, s.location),
    offer(name, s.offer, s.service, s.location),
    practitioner(name, s.practitioner, rpps),
    role(name, s.role, s.practitioner, s.offer),
    role(name, s.newRole, s.newPractitioner, s.offer),
    task(s.task, `HealthcareService/${s.offer}`),
  ];
}

/** Every resource of the dataset, parents first. */
export function accessDataset(): Resource[] {
  return [
    ...sideResources('A', { ej: '440000289', eg: '440000271' }, '10000000001'),
    location('A', SENSITIVE.location),
    offer('A', SENSITIVE.offer, SIDES.A.pole, SENSITIVE.location, true),
    role('A', SENSITIVE.role, SIDES.A.practitioner, SENSITIVE.offer),
    ...sideResources('B', { ej: '350005179', eg: '350000741' }, '10000000002'),
  ];
}

/** A test database holding the dataset, written as the server itself; throws when a resource is refused. */
export async function openAccessDataset(): Promise<{ db: Database; repo: Repository }> {
  const db = await openTestDatabase();
  const repo = new Repository(db);
  const outcomes = await repo.putBatch(accessDataset());
  const rejected = outcomes.filter((o) => o.status === 'rejected');
  if (rejected.length > 0) throw new Error(`dataset rejected: ${JSON.stringify(rejected)}`);
  return { db, repo };
}

/** A person's principal with its role's scopes. */
export function userPrincipal(id: string, role: Role, perimeter: Partial<Perimeter>, profile: AccessProfile = 2): Principal {
  return { kind: 'user', id, label: `${id}@example.fr`, role, scopes: [...ROLE_SCOPES[role]], perimeter: { ...EMPTY_PERIMETER, ...perimeter }, profile, client: 'web' };
}

export function clientPrincipal(id: string, scopes: Scope[], perimeter: Partial<Perimeter>, profile: AccessProfile = 2): Principal {
  return { kind: 'client', id, label: `Client ${id}`, scopes, perimeter: { ...EMPTY_PERIMETER, ...perimeter }, profile, client: id };
}
