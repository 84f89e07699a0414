import type { CodeableConcept, Coding, Extension, HealthcareService, Quantity } from '@medplum/fhirtypes';
import { valueSet } from '../nos/index.ts';
import { buildAvailableTime, readAvailableTime, type RorAvailableTime } from './available-time.ts';
import { buildHealthcareServiceContact, readHealthcareServiceContact, type RorContact, type RorContactRead } from './contact.ts';
import {
  type CodeInput,
  codingOf,
  complexExtension,
  extension,
  extensions,
  isoDateTime,
  nosConcept,
  replaceExtension,
  replaceExtensions,
  sub,
  subs,
} from './ext.ts';
import { buildTypedIdentifier, IDENTIFIER_TYPE } from './identifier.ts';
import { applyMeta, type MetaInput } from './meta.ts';
import { buildTelecom, readTelecom, type RorTelecom, type RorTelecomRead } from './telecom.ts';
import { buildTerritorialDivision, readTerritorialDivision, type TerritorialDivision } from './territory.ts';
import { EXT, SUB, SYSTEM, VALUE_SET } from './urls.ts';

/** JDV_J20 champs d'activité. */
export const CHAMP_ACTIVITE = { mco: '01', ssr: '02', psy: '03', medicoSocial: '04', ambulatoire: '05' } as const;

/** JDV_J185 types de fermeture d'une offre. */
export const SERVICE_CLOSING_TYPE = { definitive: 'DEF', provisional: 'PRO' } as const;

/** ror-act-type codes distinguishing the two J16 characteristic slices. */
export const ACT_TYPE = { specificAct: 'specificAct', outsideOfficeAct: 'outsideOfficeAct' } as const;

function systemsOf(valueSetUrl: string): readonly string[] {
  return valueSet(valueSetUrl).systems;
}

/**
 * HealthcareService.characteristic slices of RORHealthcareService (discriminated by coding.system and ror-act-type).
 * `max: 1` marks 0..1 / 1..1 slices; `min: 1` the mandatory one.
 */
export const CHARACTERISTIC_SLICES = {
  careMode: { valueSet: VALUE_SET.J19, min: 1, max: 1 },
  receptionType: { valueSet: VALUE_SET.J30, min: 0, max: 1 },
  receptionModality: { valueSet: VALUE_SET.J226, min: 0, max: Infinity },
  managementType: { valueSet: VALUE_SET.J26, min: 0, max: Infinity },
  specificAct: { valueSet: VALUE_SET.J16, min: 0, max: Infinity, actType: ACT_TYPE.specificAct },
  outsideOfficeAct: { valueSet: VALUE_SET.J16, min: 0, max: Infinity, actType: ACT_TYPE.outsideOfficeAct },
  takingCareSpeciality: { valueSet: VALUE_SET.J35, min: 0, max: Infinity },
  annualOpening: { valueSet: VALUE_SET.J28, min: 0, max: 1 },
  ressourceProfession: { valueSet: VALUE_SET.J186, min: 0, max: Infinity },
  specificCompetence: { valueSet: VALUE_SET.J33, min: 0, max: Infinity },
  expertiseLevel: { valueSet: VALUE_SET.J227, min: 0, max: Infinity },
  temporalityStopService: { valueSet: VALUE_SET.J185, min: 0, max: 1 },
} as const satisfies Record<string, { valueSet: string; min: number; max: number; actType?: string }>;
export type CharacteristicSlice = keyof typeof CHARACTERISTIC_SLICES;
const CHARACTERISTIC_SLICE_NAMES = Object.keys(CHARACTERISTIC_SLICES) as CharacteristicSlice[];

/** HealthcareService.specialty slices (discriminated by coding.system). */
export const SPECIALTY_SLICES = {
  operationalActivity: { valueSet: VALUE_SET.J17, min: 1, max: 1 },
  operationalActivityFamily: { valueSet: VALUE_SET.J51, min: 0, max: 1 },
} as const;
export type SpecialtySlice = keyof typeof SPECIALTY_SLICES;

/** The ror-act-type code carried by a characteristic, if any. */
export function actTypeOf(cc: CodeableConcept): string | undefined {
  return extension(cc, EXT.actType)?.valueCode;
}

/**
 * The slice a characteristic belongs to: J16 codes go to specificAct / outsideOfficeAct by their ror-act-type,
 * other codes by their system. `undefined` when no slice matches.
 */
export function characteristicSliceOf(cc: CodeableConcept): CharacteristicSlice | undefined {
  const actType = actTypeOf(cc);
  for (const name of CHARACTERISTIC_SLICE_NAMES) {
    const def: { valueSet: string; actType?: string } = CHARACTERISTIC_SLICES[name];
    if (codingOf(cc, systemsOf(def.valueSet)) === undefined) continue;
    if (def.actType !== undefined ? def.actType === actType : actType === undefined) return name;
  }
  return undefined;
}

export function specialtySliceOf(cc: CodeableConcept): SpecialtySlice | undefined {
  if (codingOf(cc, systemsOf(VALUE_SET.J17))) return 'operationalActivity';
  if (codingOf(cc, systemsOf(VALUE_SET.J51))) return 'operationalActivityFamily';
  return undefined;
}

/** Age with a UCUM unit allowed by RG_EXP_048: a (years), mo (months), wk (weeks), d (days). */
export interface Age {
  value: number;
  unit: 'a' | 'mo' | 'wk' | 'd';
}
export const AGE_UNITS = ['a', 'mo', 'wk', 'd'] as const;
const UCUM = 'http://unitsofmeasure.org';

/** Patientèle: publics pris en charge (JDV_J29) and the age range. */
export interface PatientType {
  publics?: string[];
  ageRange: { low: Age; high: Age };
}

export interface PatientTypeRead {
  publics: Coding[];
  ageRange?: { low?: Quantity; high?: Quantity };
}

/** Closing of an offer: typeFermeture (JDV_J185), dateFermeture and datePrevisionnelleReouverture. */
export interface ServiceClosing {
  type: string;
  start: string;
  reopening?: string;
}

export interface HealthcareServiceInput extends MetaInput {
  /** identifiantOffre (e.g. "11/12345"); `system` optional */
  identifier: string | { system?: string; value: string };
  name?: string;
  /** reference to the EJ / EG / OI, e.g. "Organization/123" */
  providedBy: string;
  /** references to the lieux de réalisation */
  locations?: string[];
  /** champActivite, JDV_J20 */
  champActivite: string;
  /** typeOffre, JDV_J238 */
  typeOffre?: string;
  /** activiteOperationnelle, JDV_J17 */
  activite: string;
  /** familleActiviteOperationnelle, JDV_J51 — a bare code is a TRE_R265 (SERAFIN) famille */
  famille?: CodeInput;
  /** modePriseEnCharge, JDV_J19 */
  careMode: string;
  receptionType?: string;
  receptionModalities?: string[];
  managementTypes?: string[];
  specificActs?: string[];
  outsideOfficeActs?: string[];
  takingCareSpecialities?: string[];
  annualOpening?: string;
  ressourceProfessions?: CodeInput[];
  specificCompetences?: string[];
  expertiseLevels?: string[];
  patientType: PatientType;
  /** uniteSensible; defaults to false */
  sensitiveUnit?: boolean;
  noConsentHabilitation?: boolean;
  psychiatricSectors?: string[];
  /** zoneIntervention */
  interventionZones?: TerritorialDivision[];
  availableTimes?: RorAvailableTime[];
  closing?: ServiceClosing;
  contacts?: RorContact[];
  /** boîtes aux lettres MSS */
  telecoms?: RorTelecom[];
  comment?: string;
}

/** Builds a RORHealthcareService. Throws on a code outside its NOS value set or a malformed value. */
export function buildHealthcareService(input: HealthcareServiceInput): HealthcareService {
  const hs: HealthcareService = { resourceType: 'HealthcareService' };
  applyMeta(hs, input);
  const id = typeof input.identifier === 'string' ? { value: input.identifier } : input.identifier;
  hs.identifier = [buildTypedIdentifier(IDENTIFIER_TYPE.offre, id.value, id.system)];
  hs.providedBy = { reference: input.providedBy };
  if (input.locations !== undefined && input.locations.length > 0) hs.location = input.locations.map((reference) => ({ reference }));
  if (input.name !== undefined) hs.name = input.name;
  if (input.comment !== undefined) hs.comment = input.comment;
  setChampActivite(hs, input.champActivite);
  if (input.typeOffre !== undefined) setTypeOffre(hs, input.typeOffre);
  setActivite(hs, input.activite);
  if (input.famille !== undefined) setFamille(hs, input.famille);
  setCharacteristics(hs, 'careMode', [input.careMode]);
  const multi: [CharacteristicSlice, CodeInput[] | undefined][] = [
    ['receptionType', input.receptionType === undefined ? undefined : [input.receptionType]],
    ['receptionModality', input.receptionModalities],
    ['managementType', input.managementTypes],
    ['specificAct', input.specificActs],
    ['outsideOfficeAct', input.outsideOfficeActs],
    ['takingCareSpeciality', input.takingCareSpecialities],
    ['annualOpening', input.annualOpening === undefined ? undefined : [input.annualOpening]],
    ['ressourceProfession', input.ressourceProfessions],
    ['specificCompetence', input.specificCompetences],
    ['expertiseLevel', input.expertiseLevels],
  ];
  for (const [slice, codes] of multi) if (codes !== undefined) setCharacteristics(hs, slice, codes);
  setPatientType(hs, input.patientType);
  setSensitiveUnit(hs, input.sensitiveUnit ?? false);
  if (input.noConsentHabilitation !== undefined) setNoConsentHabilitation(hs, input.noConsentHabilitation);
  if (input.psychiatricSectors !== undefined) setPsychiatricSectors(hs, input.psychiatricSectors);
  if (input.interventionZones !== undefined) setInterventionZones(hs, input.interventionZones);
  if (input.availableTimes !== undefined) setAvailableTimes(hs, input.availableTimes);
  if (input.closing !== undefined) setServiceClosing(hs, input.closing);
  if (input.contacts !== undefined) setServiceContacts(hs, input.contacts);
  if (input.telecoms !== undefined) setServiceTelecoms(hs, input.telecoms);
  return hs;
}

/** champActivite (HealthcareService.type, JDV_J20). */
export function getChampActivite(hs: HealthcareService): Coding | undefined {
  return codingOf(hs.type?.[0], [SYSTEM.champActivite]);
}

export function setChampActivite(hs: HealthcareService, code: string): void {
  hs.type = [nosConcept(VALUE_SET.J20, code)];
}

/** typeOffre (HealthcareService.category, JDV_J238). */
export function getTypeOffre(hs: HealthcareService): Coding | undefined {
  return codingOf(hs.category?.[0], [SYSTEM.categorieOrganisation]);
}

export function setTypeOffre(hs: HealthcareService, code: string | undefined): void {
  if (code === undefined) delete hs.category;
  else hs.category = [nosConcept(VALUE_SET.J238, code)];
}

function getSpecialty(hs: HealthcareService, slice: SpecialtySlice): Coding | undefined {
  for (const s of hs.specialty ?? []) {
    if (specialtySliceOf(s) === slice) return codingOf(s, systemsOf(SPECIALTY_SLICES[slice].valueSet));
  }
  return undefined;
}

function setSpecialty(hs: HealthcareService, slice: SpecialtySlice, code: CodeInput | undefined, defaultSystem?: string): void {
  const kept = (hs.specialty ?? []).filter((s) => specialtySliceOf(s) !== slice);
  const added = code === undefined ? [] : [nosConcept(SPECIALTY_SLICES[slice].valueSet, code, defaultSystem)];
  const next = slice === 'operationalActivity' ? [...added, ...kept] : [...kept, ...added];
  if (next.length > 0) hs.specialty = next;
  else delete hs.specialty;
}

/** activiteOperationnelle (specialty[operationalActivity], JDV_J17). */
export function getActivite(hs: HealthcareService): Coding | undefined {
  return getSpecialty(hs, 'operationalActivity');
}

export function setActivite(hs: HealthcareService, code: string): void {
  setSpecialty(hs, 'operationalActivity', code);
}

/** familleActiviteOperationnelle (specialty[operationalActivityFamily], JDV_J51). */
export function getFamille(hs: HealthcareService): Coding | undefined {
  return getSpecialty(hs, 'operationalActivityFamily');
}

export function setFamille(hs: HealthcareService, code: CodeInput | undefined): void {
  setSpecialty(hs, 'operationalActivityFamily', code, SYSTEM.familleActiviteSerafin);
}

/** The codings of one characteristic slice, in order. */
export function getCharacteristics(hs: HealthcareService, slice: CharacteristicSlice): Coding[] {
  const systems = systemsOf(CHARACTERISTIC_SLICES[slice].valueSet);
  const out: Coding[] = [];
  for (const c of hs.characteristic ?? []) {
    if (characteristicSliceOf(c) !== slice) continue;
    const coding = codingOf(c, systems);
    if (coding) out.push(coding);
  }
  return out;
}

/** Replaces the codings of one characteristic slice (ror-act-type added for the act slices). */
export function setCharacteristics(hs: HealthcareService, slice: CharacteristicSlice, codes: CodeInput[]): void {
  const def: { valueSet: string; max: number; actType?: string } = CHARACTERISTIC_SLICES[slice];
  if (codes.length > def.max) throw new Error(`characteristic[${slice}] takes at most ${def.max} code(s), got ${codes.length}`);
  const built = codes.map((code) => {
    const cc = nosConcept(def.valueSet, code);
    if (def.actType !== undefined) cc.extension = [{ url: EXT.actType, valueCode: def.actType }];
    return cc;
  });
  const existing = hs.characteristic ?? [];
  const at = existing.findIndex((c) => characteristicSliceOf(c) === slice);
  const kept = existing.filter((c) => characteristicSliceOf(c) !== slice);
  const insertAt = at < 0 ? kept.length : at;
  const next = [...kept.slice(0, insertAt), ...built, ...kept.slice(insertAt)];
  if (next.length > 0) hs.characteristic = next;
  else delete hs.characteristic;
}

/** modePriseEnCharge (characteristic[careMode], JDV_J19). */
export function getCareMode(hs: HealthcareService): Coding | undefined {
  return getCharacteristics(hs, 'careMode')[0];
}

function ageQuantity(age: Age, what: string): Quantity {
  if (!AGE_UNITS.includes(age.unit)) throw new Error(`${what}: unit must be one of ${AGE_UNITS.join(', ')}, got "${age.unit}"`);
  if (!Number.isFinite(age.value) || age.value < 0) throw new Error(`${what} must be a non-negative number, got ${age.value}`);
  return { value: age.value, unit: age.unit, system: UCUM, code: age.unit };
}

/** Patientèle (ror-healthcareservice-patient-type). */
export function getPatientType(hs: HealthcareService): PatientTypeRead | undefined {
  const ext = extension(hs, EXT.healthcareServicePatientType);
  if (!ext) return undefined;
  const publics = subs(ext, SUB.patientType.supportedPatientInfo)
    .map((e) => codingOf(e.valueCodeableConcept))
    .filter((c): c is Coding => c !== undefined);
  const range = sub(ext, SUB.patientType.ageRange)?.valueRange;
  const read: PatientTypeRead = { publics };
  if (range) {
    read.ageRange = {};
    if (range.low) read.ageRange.low = range.low;
    if (range.high) read.ageRange.high = range.high;
  }
  return read;
}

export function setPatientType(hs: HealthcareService, p: PatientType): void {
  const low = ageQuantity(p.ageRange.low, 'Minimum age');
  const high = ageQuantity(p.ageRange.high, 'Maximum age');
  replaceExtension(
    hs,
    EXT.healthcareServicePatientType,
    complexExtension(EXT.healthcareServicePatientType, [
      ...(p.publics ?? []).map(
        (code): Extension => ({ url: SUB.patientType.supportedPatientInfo, valueCodeableConcept: nosConcept(VALUE_SET.J29, code) }),
      ),
      { url: SUB.patientType.ageRange, valueRange: { low, high } },
    ]),
  );
}

/** uniteSensible (ror-healthcareservice-sensitive-unit). */
export function isSensitiveUnit(hs: HealthcareService): boolean | undefined {
  return extension(hs, EXT.healthcareServiceSensitiveUnit)?.valueBoolean;
}

export function setSensitiveUnit(hs: HealthcareService, sensitive: boolean): void {
  replaceExtension(hs, EXT.healthcareServiceSensitiveUnit, { url: EXT.healthcareServiceSensitiveUnit, valueBoolean: sensitive });
}

/** habilitationAuxSoinsSansConsentement. */
export function getNoConsentHabilitation(hs: HealthcareService): boolean | undefined {
  return extension(hs, EXT.healthcareServiceNoConsentHabilitation)?.valueBoolean;
}

export function setNoConsentHabilitation(hs: HealthcareService, value: boolean | undefined): void {
  replaceExtension(
    hs,
    EXT.healthcareServiceNoConsentHabilitation,
    value === undefined ? undefined : { url: EXT.healthcareServiceNoConsentHabilitation, valueBoolean: value },
  );
}

/** secteurPsychiatrique (0..*). */
export function getPsychiatricSectors(hs: HealthcareService): string[] {
  return extensions(hs, EXT.healthcareServicePsychiatricSector)
    .map((e) => e.valueString)
    .filter((s): s is string => s !== undefined);
}

export function setPsychiatricSectors(hs: HealthcareService, sectors: string[]): void {
  replaceExtensions(
    hs,
    EXT.healthcareServicePsychiatricSector,
    sectors.map((valueString) => ({ url: EXT.healthcareServicePsychiatricSector, valueString })),
  );
}

/** zoneIntervention (ror-territorial-division, 0..*). */
export function getInterventionZones(hs: HealthcareService): Partial<TerritorialDivision>[] {
  return extensions(hs, EXT.territorialDivision).map(readTerritorialDivision);
}

export function setInterventionZones(hs: HealthcareService, zones: TerritorialDivision[]): void {
  replaceExtensions(hs, EXT.territorialDivision, zones.map(buildTerritorialDivision));
}

/** horaires. */
export function getAvailableTimes(hs: HealthcareService): RorAvailableTime[] {
  return (hs.availableTime ?? []).map(readAvailableTime);
}

export function setAvailableTimes(hs: HealthcareService, times: RorAvailableTime[]): void {
  if (times.length === 0) delete hs.availableTime;
  else hs.availableTime = times.map(buildAvailableTime);
}

const CLOSING_ID = 'closingReopeningDate';
const CLOSING_DESCRIPTION = 'Période de fermeture et de réouverture prévisionnelle';

/** typeFermeture + dateFermeture + datePrevisionnelleReouverture, or `undefined` when the offer is open. */
export function getServiceClosing(hs: HealthcareService): Partial<ServiceClosing> | undefined {
  const type = getCharacteristics(hs, 'temporalityStopService')[0]?.code;
  const during = hs.notAvailable?.find((n) => n.id === CLOSING_ID)?.during;
  if (type === undefined && during === undefined) return undefined;
  const read: Partial<ServiceClosing> = {};
  if (type !== undefined) read.type = type;
  if (during?.start !== undefined) read.start = during.start;
  if (during?.end !== undefined) read.reopening = during.end;
  return read;
}

/** Sets the closing (or, with `undefined`, reopens the offer: RG_EXP_046 resets type and dates). */
export function setServiceClosing(hs: HealthcareService, closing: ServiceClosing | undefined): void {
  const others = (hs.notAvailable ?? []).filter((n) => n.id !== CLOSING_ID);
  if (closing === undefined) {
    setCharacteristics(hs, 'temporalityStopService', []);
    if (others.length > 0) hs.notAvailable = others;
    else delete hs.notAvailable;
    return;
  }
  setCharacteristics(hs, 'temporalityStopService', [closing.type]);
  const during = { start: isoDateTime(closing.start, 'Closing date') };
  if (closing.reopening !== undefined) Object.assign(during, { end: isoDateTime(closing.reopening, 'Reopening date') });
  hs.notAvailable = [...others, { id: CLOSING_ID, description: CLOSING_DESCRIPTION, during }];
}

/** contacts (ror-healthcareservice-contact). */
export function getServiceContacts(hs: HealthcareService): RorContactRead[] {
  return extensions(hs, EXT.healthcareServiceContact).map(readHealthcareServiceContact);
}

export function setServiceContacts(hs: HealthcareService, contacts: RorContact[]): void {
  replaceExtensions(hs, EXT.healthcareServiceContact, contacts.map(buildHealthcareServiceContact));
}

/** boîtes aux lettres MSS (HealthcareService.telecom). */
export function getServiceTelecoms(hs: HealthcareService): RorTelecomRead[] {
  return (hs.telecom ?? []).map(readTelecom);
}

export function setServiceTelecoms(hs: HealthcareService, telecoms: RorTelecom[]): void {
  if (telecoms.length === 0) delete hs.telecom;
  else hs.telecom = telecoms.map(buildTelecom);
}
