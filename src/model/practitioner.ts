import type { CodeableConcept, Coding, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { valueSet } from '../nos/index.ts';
import { buildAvailableTime, readAvailableTime, type RorAvailableTime } from './available-time.ts';
import { codeOf, codingOf, complexExtension, extension, nosCoding, nosConcept, replaceExtension, sub } from './ext.ts';
import { buildTypedIdentifier, IDENTIFIER_TYPE } from './identifier.ts';
import { applyMeta, type MetaInput } from './meta.ts';
import { buildTelecom, readTelecom, type RorTelecom, type RorTelecomRead } from './telecom.ts';
import { EXT, IDENTIFIER_SYSTEM, SUB, VALUE_SET } from './urls.ts';

export interface PractitionerInput extends MetaInput {
  /** idNat_PS: "8" + RPPS or "0" + ADELI */
  idNatPs: string;
  family?: string;
  given?: string[];
  /** civilité, JDV_J207 code (M, MME, MLLE) */
  civilite?: string;
  /** boîtes aux lettres MSS */
  telecoms?: RorTelecom[];
}

/** Builds a RORPractitioner. */
export function buildPractitioner(input: PractitionerInput): Practitioner {
  const p: Practitioner = { resourceType: 'Practitioner' };
  applyMeta(p, input);
  if (input.idNatPs.trim() === '') throw new Error('A practitioner needs an idNatPs');
  p.identifier = [{ system: IDENTIFIER_SYSTEM.idNatPs, value: input.idNatPs }];
  if (input.family !== undefined || input.given !== undefined || input.civilite !== undefined) {
    const name: NonNullable<Practitioner['name']>[number] = {};
    if (input.civilite !== undefined) name.prefix = [nosCoding(VALUE_SET.J207, input.civilite).code ?? input.civilite];
    if (input.family !== undefined) name.family = input.family;
    if (input.given !== undefined) name.given = input.given;
    p.name = [name];
  }
  if (input.telecoms !== undefined && input.telecoms.length > 0) p.telecom = input.telecoms.map(buildTelecom);
  return p;
}

export function getIdNatPs(p: Practitioner): string | undefined {
  return p.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.idNatPs)?.value;
}

export function getPractitionerTelecoms(p: Practitioner): RorTelecomRead[] {
  return (p.telecom ?? []).map(readTelecom);
}

/** PractitionerRole.specialty slices (savoir-faire), by value set. */
export const ROLE_SPECIALTY_SLICES = {
  expertiseType: { valueSet: VALUE_SET.J209, min: 1, max: 1 },
  specialty: { valueSet: VALUE_SET.J210, min: 0, max: 1 },
  competence: { valueSet: VALUE_SET.J232, min: 0, max: 1 },
  exclusiveCompetence: { valueSet: VALUE_SET.J211, min: 0, max: 1 },
  specificOrientation: { valueSet: VALUE_SET.J212, min: 0, max: 1 },
  expertiseCapacity: { valueSet: VALUE_SET.J213, min: 0, max: 1 },
  qualificationPAC: { valueSet: VALUE_SET.J214, min: 0, max: 1 },
  nonQualifyingDESC: { valueSet: VALUE_SET.J215, min: 0, max: 1 },
  supplementaryExerciseRight: { valueSet: VALUE_SET.J216, min: 0, max: 1 },
  specificCompetence: { valueSet: VALUE_SET.J33, min: 0, max: Infinity },
} as const;
export type RoleSpecialtySlice = keyof typeof ROLE_SPECIALTY_SLICES;
const ROLE_SPECIALTY_NAMES = Object.keys(ROLE_SPECIALTY_SLICES) as RoleSpecialtySlice[];

export function roleSpecialtySliceOf(cc: CodeableConcept): RoleSpecialtySlice | undefined {
  return ROLE_SPECIALTY_NAMES.find((name) => codingOf(cc, valueSet(ROLE_SPECIALTY_SLICES[name].valueSet).systems) !== undefined);
}

/** Exercise identity (ror-practitionerrole-name): civilité d'exercice (JDV_J208), nom, prénom. */
export interface ExerciseName {
  title?: string;
  lastName: string;
  firstName?: string;
}

export interface PractitionerRoleInput extends MetaInput {
  /** identifiantSituationOperationnelle */
  identifier?: string;
  /** "Practitioner/…" */
  practitioner: string;
  /** the offer, "HealthcareService/…" */
  healthcareService: string;
  organization?: string;
  locations?: string[];
  /** profession, JDV_J229 */
  profession: string;
  /** typeSavoirFaire, JDV_J209 */
  expertiseType: string;
  /** other savoir-faire slices, one code each (specificCompetence: several) */
  specialties?: Partial<Record<Exclude<RoleSpecialtySlice, 'expertiseType' | 'specificCompetence'>, string>>;
  specificCompetences?: string[];
  /** modeExerciceOffre, JDV_J217 */
  unitExerciseMode: string;
  exerciseName?: ExerciseName;
  availableTime?: RorAvailableTime;
  telecom?: RorTelecom;
}

/** Builds a RORPractitionerRole. */
export function buildPractitionerRole(input: PractitionerRoleInput): PractitionerRole {
  const role: PractitionerRole = { resourceType: 'PractitionerRole' };
  applyMeta(role, input);
  if (input.identifier !== undefined) role.identifier = [buildTypedIdentifier(IDENTIFIER_TYPE.situationOperationnelle, input.identifier)];
  role.practitioner = { reference: input.practitioner };
  if (input.organization !== undefined) role.organization = { reference: input.organization };
  role.code = [nosConcept(VALUE_SET.J229, input.profession)];
  const specialties: CodeableConcept[] = [nosConcept(ROLE_SPECIALTY_SLICES.expertiseType.valueSet, input.expertiseType)];
  for (const [slice, code] of Object.entries(input.specialties ?? {}) as [RoleSpecialtySlice, string | undefined][]) {
    if (code !== undefined) specialties.push(nosConcept(ROLE_SPECIALTY_SLICES[slice].valueSet, code));
  }
  for (const code of input.specificCompetences ?? []) specialties.push(nosConcept(VALUE_SET.J33, code));
  role.specialty = specialties;
  if (input.locations !== undefined && input.locations.length > 0) role.location = input.locations.map((reference) => ({ reference }));
  role.healthcareService = [{ reference: input.healthcareService }];
  if (input.telecom !== undefined) role.telecom = [buildTelecom(input.telecom)];
  if (input.availableTime !== undefined) role.availableTime = [buildAvailableTime(input.availableTime)];
  setUnitExerciseMode(role, input.unitExerciseMode);
  if (input.exerciseName !== undefined) setExerciseName(role, input.exerciseName);
  return role;
}

/** profession (PractitionerRole.code, JDV_J229). */
export function getProfession(role: PractitionerRole): Coding | undefined {
  return codingOf(role.code?.[0]);
}

/** The codings of one savoir-faire slice. */
export function getRoleSpecialties(role: PractitionerRole, slice: RoleSpecialtySlice): Coding[] {
  return (role.specialty ?? [])
    .filter((s) => roleSpecialtySliceOf(s) === slice)
    .map((s) => codingOf(s))
    .filter((c): c is Coding => c !== undefined);
}

/** modeExerciceOffre (ror-practitionerrole-unit-exercise-mode, JDV_J217). */
export function getUnitExerciseMode(role: PractitionerRole): string | undefined {
  return codeOf(extension(role, EXT.practitionerRoleUnitExerciseMode)?.valueCodeableConcept);
}

export function setUnitExerciseMode(role: PractitionerRole, code: string): void {
  replaceExtension(role, EXT.practitionerRoleUnitExerciseMode, {
    url: EXT.practitionerRoleUnitExerciseMode,
    valueCodeableConcept: nosConcept(VALUE_SET.J217, code),
  });
}

export function getExerciseName(role: PractitionerRole): Partial<ExerciseName> | undefined {
  const ext = extension(role, EXT.practitionerRoleName);
  if (!ext) return undefined;
  const read: Partial<ExerciseName> = {};
  const title = codeOf(sub(ext, SUB.practitionerRoleName.title)?.valueCodeableConcept);
  if (title !== undefined) read.title = title;
  const lastName = sub(ext, SUB.practitionerRoleName.lastName)?.valueString;
  if (lastName !== undefined) read.lastName = lastName;
  const firstName = sub(ext, SUB.practitionerRoleName.firstName)?.valueString;
  if (firstName !== undefined) read.firstName = firstName;
  return read;
}

export function setExerciseName(role: PractitionerRole, name: ExerciseName | undefined): void {
  if (name !== undefined && name.lastName.trim() === '') throw new Error('An exercise name needs a last name');
  replaceExtension(
    role,
    EXT.practitionerRoleName,
    name === undefined
      ? undefined
      : complexExtension(EXT.practitionerRoleName, [
          name.title === undefined
            ? undefined
            : { url: SUB.practitionerRoleName.title, valueCodeableConcept: nosConcept(VALUE_SET.J208, name.title) },
          { url: SUB.practitionerRoleName.lastName, valueString: name.lastName },
          name.firstName === undefined ? undefined : { url: SUB.practitionerRoleName.firstName, valueString: name.firstName },
        ]),
  );
}

export function getRoleAvailableTime(role: PractitionerRole): RorAvailableTime | undefined {
  const at = role.availableTime?.[0];
  return at ? readAvailableTime(at) : undefined;
}

export function getRoleTelecom(role: PractitionerRole): RorTelecomRead | undefined {
  const t = role.telecom?.[0];
  return t ? readTelecom(t) : undefined;
}
