import type {
  Address,
  CodeableConcept,
  Coding,
  ContactPoint,
  Extension,
  HealthcareService,
  Identifier,
  Location,
  OperationOutcomeIssue,
  Organization,
  Practitioner,
  PractitionerRole,
  Resource,
  Task,
} from '@medplum/fhirtypes';
import { hasCode, valueSet } from '../nos/index.ts';
import { COMMUNE_CODE } from './address.ts';
import { DATE_TIME, type PrimitiveElement } from './ext.ts';
import {
  actTypeOf,
  CHARACTERISTIC_SLICES,
  type CharacteristicSlice,
  characteristicSliceOf,
  SPECIALTY_SLICES,
  type SpecialtySlice,
  specialtySliceOf,
} from './healthcare-service.ts';
import { IDENTIFIER_TYPE, isSlice, ORGANIZATION_IDENTIFIER, type OrganizationIdentifierSlice } from './identifier.ts';
import { type IssueCode, issue } from './issues.ts';
import { getOrganizationKind, ORGANIZATION_TYPE_SLICES, type OrganizationTypeSlice } from './organization.ts';
import { ROLE_SPECIALTY_SLICES, type RoleSpecialtySlice, roleSpecialtySliceOf } from './practitioner.ts';
import { TASK_INPUT } from './task.ts';
import { DATA_ORIGIN_SYSTEM, DATA_ORIGINS, EXT, EXTERNAL_EXT, IDENTIFIER_SYSTEM, ROR_CODE_SYSTEM, SUB, SYSTEM, VALUE_SET } from './urls.ts';

/**
 * Checks of the ROR profiles that the base R4 validator cannot do: mandatory elements and slices, slice
 * cardinalities, and the required NOS bindings of every coded element.
 */
class Checker {
  readonly issues: OperationOutcomeIssue[] = [];

  add(code: IssueCode, path: string, diagnostics: string): void {
    this.issues.push(issue(code, path, diagnostics));
  }

  required(present: boolean, path: string, what: string): void {
    if (!present) this.add('required', path, `${what} is mandatory`);
  }

  atMost(count: number, max: number, path: string, what: string): void {
    if (count > max) this.add('structure', path, `${what} is allowed at most ${max} time(s), found ${count}`);
  }

  /** A CodeableConcept bound (required) to a NOS value set: its codings of the set's systems must be in it, and one must be. */
  concept(cc: CodeableConcept | undefined, vsUrl: string, path: string): void {
    if (cc === undefined) return;
    const vs = valueSet(vsUrl);
    let matched = false;
    let reported = false;
    (cc.coding ?? []).forEach((c, i) => {
      if (c.system === undefined || !vs.systems.includes(c.system)) return;
      if (c.code !== undefined && hasCode(vs.url, c.system, c.code)) matched = true;
      else {
        this.add('code-invalid', `${path}.coding[${i}]`, `Code ${c.system}|${c.code ?? ''} is not in ${vs.id}`);
        reported = true;
      }
    });
    if (!matched && !reported) {
      const given = (cc.coding ?? []).map((c) => `${c.system ?? ''}|${c.code ?? ''}`).join(', ') || 'no coding';
      this.add('code-invalid', path, `Expected a code of ${vs.id} (${vs.systems.join(', ')}), got ${given}`);
    }
  }

  coding(c: Coding | undefined, vsUrl: string, path: string): void {
    if (c === undefined) return;
    const vs = valueSet(vsUrl);
    if (c.system === undefined || c.code === undefined || !hasCode(vs.url, c.system, c.code)) {
      this.add('code-invalid', path, `Code ${c.system ?? ''}|${c.code ?? ''} is not in ${vs.id}`);
    }
  }

  /** Extensions of `el` with `url`, with their paths. */
  each(el: { extension?: Extension[] } | undefined, url: string, path: string): [Extension, string][] {
    const out: [Extension, string][] = [];
    (el?.extension ?? []).forEach((e, i) => {
      if (e.url === url) out.push([e, `${path}.extension[${i}]`]);
    });
    return out;
  }

  /** Extension `url` of `el` with cardinality min..max; returns the first occurrence. */
  single(el: { extension?: Extension[] } | undefined, url: string, path: string, min: 0 | 1, what: string): [Extension, string] | undefined {
    const found = this.each(el, url, path);
    if (min === 1) this.required(found.length > 0, `${path}.extension`, what);
    this.atMost(found.length, 1, found[1]?.[1] ?? path, what);
    return found[0];
  }

  codedExtension(el: { extension?: Extension[] } | undefined, url: string, vsUrl: string, path: string, min: 0 | 1, max: 1 | typeof Infinity, what: string): void {
    const found = this.each(el, url, path);
    if (min === 1) this.required(found.length > 0, `${path}.extension`, what);
    if (max === 1) this.atMost(found.length, 1, found[1]?.[1] ?? path, what);
    for (const [e, p] of found) {
      if (e.valueCodeableConcept === undefined) this.add('structure', p, `${what} must be a valueCodeableConcept`);
      else this.concept(e.valueCodeableConcept, vsUrl, `${p}.valueCodeableConcept`);
    }
  }

  meta(resource: Organization | HealthcareService | Location | Practitioner | PractitionerRole, type: string): void {
    this.required(resource.meta?.lastUpdated !== undefined, `${type}.meta.lastUpdated`, 'meta.lastUpdated (dateMiseJour)');
    const regionTags = (resource.meta?.tag ?? []).map((t, i) => [t, i] as const).filter(([t]) => t.system === SYSTEM.regionOM);
    this.atMost(regionTags.length, 1, `${type}.meta.tag`, 'meta.tag codeRegion');
    for (const [t, i] of regionTags) this.coding(t, VALUE_SET.J237, `${type}.meta.tag[${i}]`);
    (resource.meta?.tag ?? []).forEach((t, i) => {
      if (t.system === DATA_ORIGIN_SYSTEM && !(DATA_ORIGINS as readonly (string | undefined)[]).includes(t.code)) {
        this.add('code-invalid', `${type}.meta.tag[${i}]`, `Data origin must be one of ${DATA_ORIGINS.join(', ')}, got "${t.code ?? ''}"`);
      }
    });
    const created = this.single(resource, EXT.metaCreationDate, type, 1, 'ror-meta-creation-date (dateCreation)');
    if (created && (created[0].valueDateTime === undefined || !DATE_TIME.test(created[0].valueDateTime))) {
      this.add('invalid', created[1], 'ror-meta-creation-date must carry a valueDateTime');
    }
  }

  /** Telecom extensions shared by all profiles (canal and confidentialité 1..1, utilisation 0..1). */
  telecom(cp: ContactPoint, path: string): void {
    this.required(cp.value !== undefined && cp.value !== '', `${path}.value`, 'telecom value (adresseTelecom)');
    this.codedExtension(cp, EXT.telecomCommunicationChannel, VALUE_SET.J225, path, 1, 1, 'ror-telecom-communication-channel');
    this.codedExtension(cp, EXT.telecomConfidentialityLevel, VALUE_SET.J222, path, 1, 1, 'ror-telecom-confidentiality-level');
    this.single(cp, EXT.telecomUsage, path, 0, 'ror-telecom-usage');
  }

  telecoms(list: ContactPoint[] | undefined, path: string): void {
    (list ?? []).forEach((cp, i) => this.telecom(cp, `${path}[${i}]`));
  }

  territorialDivisions(el: { extension?: Extension[] }, path: string): void {
    for (const [e, p] of this.each(el, EXT.territorialDivision, path)) {
      this.codedExtension(e, SUB.territorialDivision.type, VALUE_SET.J223, p, 1, 1, 'typeTerritorialDivision');
      const code = this.single(e, SUB.territorialDivision.code, p, 1, 'codeTerritorialDivision');
      if (code && code[0].valueCodeableConcept?.coding?.[0]?.code === undefined) {
        this.add('required', code[1], 'codeTerritorialDivision needs a coding with a code');
      }
    }
  }

  availableTimes(times: { extension?: Extension[]; daysOfWeek?: string[] }[] | undefined, path: string): void {
    (times ?? []).forEach((at, i) => {
      const p = `${path}[${i}]`;
      this.codedExtension(at, EXT.availableTimeTypeOfTime, VALUE_SET.J41, p, 0, 1, 'ror-available-time-type-of-time');
      this.single(at, EXT.availableTimeEffectiveOpeningClosingDate, p, 0, 'ror-available-time-effective-opening-closing-date');
      const day = this.single(at, EXT.availableTimeNumberDaysOfWeek, p, 0, 'ror-available-time-number-days-of-week');
      const n = day?.[0].valueInteger;
      if (day && (n === undefined || !Number.isInteger(n) || n < 1 || n > 7)) {
        this.add('invalid', day[1], 'ror-available-time-number-days-of-week must be an integer from 1 (Monday) to 7 (Sunday)');
      }
      this.atMost(at.daysOfWeek?.length ?? 0, 1, `${p}.daysOfWeek`, 'availableTime.daysOfWeek');
    });
  }

  communeCode(code: string | undefined, path: string, what: string): void {
    if (code === undefined || !COMMUNE_CODE.test(code)) this.add('invalid', path, `${what} must be a COG commune code (5 characters), got "${code ?? ''}"`);
  }
}

function countSlices<T, S extends string>(items: T[] | undefined, sliceOf: (item: T) => S | undefined): Map<S, number[]> {
  const bySlice = new Map<S, number[]>();
  (items ?? []).forEach((item, i) => {
    const slice = sliceOf(item);
    if (slice === undefined) return;
    const list = bySlice.get(slice) ?? [];
    list.push(i);
    bySlice.set(slice, list);
  });
  return bySlice;
}

// ---------------------------------------------------------------------------------------------------------------
// Organization

const ORG_IDENTIFIER_SLICES = Object.keys(ORGANIZATION_IDENTIFIER) as OrganizationIdentifierSlice[];
const ORG_TYPE_SLICES = Object.keys(ORGANIZATION_TYPE_SLICES) as OrganizationTypeSlice[];

function identifierSliceOf(id: Identifier): OrganizationIdentifierSlice | undefined {
  return ORG_IDENTIFIER_SLICES.find((s) => isSlice(id, ORGANIZATION_IDENTIFIER[s]));
}

function checkOrganization(org: Organization, c: Checker): void {
  c.meta(org, 'Organization');
  const ids = org.identifier ?? [];
  const idSlices = countSlices(ids, identifierSliceOf);
  ids.forEach((id, i) => {
    const path = `Organization.identifier[${i}]`;
    const slice = identifierSliceOf(id);
    const bySystem = ORG_IDENTIFIER_SLICES.filter((s) => ORGANIZATION_IDENTIFIER[s].system === id.system);
    if (slice === undefined) {
      if (bySystem.length > 0) c.add('required', `${path}.type`, `An identifier of system ${id.system ?? ''} needs its type (JDV_J236)`);
      return;
    }
    const def = ORGANIZATION_IDENTIFIER[slice];
    c.required(id.type !== undefined, `${path}.type`, `identifier[${slice}].type`);
    if (id.type) c.concept(id.type, VALUE_SET.J236, `${path}.type`);
    if (id.system !== def.system) c.add('invalid', `${path}.system`, `identifier[${slice}] must have system ${def.system}, got "${id.system ?? ''}"`);
    if (!def.pattern.test(id.value ?? '')) c.add('invalid', `${path}.value`, `"${id.value ?? ''}" is not a valid ${def.label}`);
  });
  for (const [slice, at] of idSlices) c.atMost(at.length, 1, `Organization.identifier[${at[1] ?? 0}]`, `identifier[${slice}]`);

  const types = org.type ?? [];
  types.forEach((t, i) => {
    for (const slice of ORG_TYPE_SLICES) {
      const def = ORGANIZATION_TYPE_SLICES[slice];
      if (t.coding?.some((cd) => cd.system !== undefined && (def.systems as readonly string[]).includes(cd.system))) {
        c.concept(t, def.valueSet, `Organization.type[${i}]`);
      }
    }
  });
  for (const slice of ORG_TYPE_SLICES) {
    const systems: readonly string[] = ORGANIZATION_TYPE_SLICES[slice].systems;
    const at = types.flatMap((t, i) => (t.coding?.some((cd) => cd.system !== undefined && systems.includes(cd.system)) ? [i] : []));
    c.atMost(at.length, 1, `Organization.type[${at[1] ?? 0}]`, `type[${slice}]`);
  }

  const kind = getOrganizationKind(org);
  if (kind === undefined) {
    c.add('required', 'Organization', 'Cannot tell whether this is an EJ, EG or OI: give an idNatSt/FINESS identifier (EJ, EG) or an identifierOI and type[OIType] (OI)');
  } else if (kind === 'OI') {
    c.required(idSlices.has('identifierOI'), 'Organization.identifier', 'identifier[identifierOI] of an organisation interne');
    c.required(types.some((t) => t.coding?.some((cd) => cd.system === SYSTEM.typeOrganisationInterne)), 'Organization.type', 'type[OIType] (typeOI) of an organisation interne');
  } else {
    c.required(idSlices.has('idNatSt'), 'Organization.identifier', `identifier[idNatSt] of an ${kind}`);
  }

  c.atMost(org.alias?.length ?? 0, 1, 'Organization.alias', 'alias (nomOperationnel)');
  c.single((org as Organization & { _name?: PrimitiveElement })._name, EXT.organizationAdditionalName, 'Organization.name', 0, 'ror-organization-additional-name');

  (org.contact ?? []).forEach((contact, i) => {
    const p = `Organization.contact[${i}]`;
    c.concept(contact.purpose, VALUE_SET.J221, `${p}.purpose`);
    c.codedExtension(contact, EXT.contactFunctionContact, VALUE_SET.J220, p, 0, 1, 'ror-contact-function-contact');
    c.single(contact, EXT.contactDescription, p, 0, 'ror-contact-description');
    c.codedExtension(contact, EXT.contactConfidentialityLevel, VALUE_SET.J222, p, 1, 1, 'ror-contact-confidentiality-level');
    c.telecoms(contact.telecom, `${p}.telecom`);
  });
  c.telecoms(org.telecom, 'Organization.telecom');

  c.atMost(org.address?.length ?? 0, 1, 'Organization.address', 'address');
  (org.address ?? []).forEach((a, i) => checkAddress(a, `Organization.address[${i}]`, c, false));

  for (const [url, what] of [
    [EXT.organizationReopeningDate, 'ror-organization-reopening-date'],
    [EXT.organizationCreationDate, 'ror-organization-creation-date'],
    [EXTERNAL_EXT.organizationPeriod, 'organization-period'],
    [EXT.organizationAccomodationFamily, 'ror-organization-accomodation-family'],
    [EXT.organizationNbPermanentSocialHelpPlace, 'ror-organization-nb-permanent-social-help-place'],
    [EXT.organizationNbTemporarySocialHelpPlace, 'ror-organization-nb-temporary-social-help-place'],
    [EXT.organizationDropZone, 'ror-organization-drop-zone'],
    [EXT.metaComment, 'ror-meta-comment'],
    [EXT.organizationComment, 'ror-organization-comment'],
  ] as const) {
    c.single(org, url, 'Organization', 0, what);
  }
  c.codedExtension(org, EXT.organizationClosingType, VALUE_SET.J201, 'Organization', 0, 1, 'ror-organization-closing-type');
  c.codedExtension(org, EXT.organizationFinancialHelpType, VALUE_SET.J31, 'Organization', 0, Infinity, 'ror-organization-financial-help-type');
  c.codedExtension(org, EXT.organizationAccessibilityLocation, VALUE_SET.J50, 'Organization', 0, 1, 'ror-organization-accessibility-location');
  c.codedExtension(org, EXT.organizationLevelRecourseOrsan, VALUE_SET.J204, 'Organization', 0, 1, 'ror-organization-level-recourse-orsan');
  c.territorialDivisions(org, 'Organization');
}

function checkAddress(a: Address, path: string, c: Checker, streetTypeBound: boolean): void {
  for (const [e, p] of c.each(a, EXTERNAL_EXT.addressInseeCode, path)) {
    c.communeCode(e.valueCoding?.code, `${p}.valueCoding`, 'Address INSEE code');
  }
  for (const [e, p] of c.each(a, EXTERNAL_EXT.geolocation, path)) {
    const lat = e.extension?.find((x) => x.url === 'latitude')?.valueDecimal;
    const lon = e.extension?.find((x) => x.url === 'longitude')?.valueDecimal;
    if (lat === undefined || lon === undefined || lat < -90 || lat > 90 || lon < -180 || lon > 180) {
      c.add('invalid', p, 'geolocation needs a latitude (-90..90) and a longitude (-180..180)');
    }
  }
  if (!streetTypeBound) return;
  ((a as Address & { _line?: (PrimitiveElement | null)[] })._line ?? []).forEach((line, i) => {
    (line?.extension ?? []).forEach((e, j) => {
      if (e.url !== EXTERNAL_EXT.adxpStreetNameType || e.valueString === undefined) return;
      if (!hasCode(VALUE_SET.J219, SYSTEM.typeVoie, e.valueString)) {
        c.add('code-invalid', `${path}.line[${i}].extension[${j}].valueString`, `Street type "${e.valueString}" is not a code of JDV-J219-TypeVoie-ROR`);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// HealthcareService

const CHARACTERISTIC_NAMES = Object.keys(CHARACTERISTIC_SLICES) as CharacteristicSlice[];

function checkHealthcareService(hs: HealthcareService, c: Checker): void {
  c.meta(hs, 'HealthcareService');
  c.required((hs.identifier?.length ?? 0) > 0, 'HealthcareService.identifier', 'identifier (identifiantOffre)');
  c.atMost(hs.identifier?.length ?? 0, 1, 'HealthcareService.identifier', 'identifier (identifiantOffre)');
  c.required(hs.providedBy?.reference !== undefined, 'HealthcareService.providedBy', 'providedBy (the EJ, EG or OI offering it)');

  c.required((hs.type?.length ?? 0) > 0, 'HealthcareService.type', 'type (champActivite)');
  c.atMost(hs.type?.length ?? 0, 1, 'HealthcareService.type', 'type (champActivite)');
  hs.type?.forEach((t, i) => c.concept(t, VALUE_SET.J20, `HealthcareService.type[${i}]`));
  c.atMost(hs.category?.length ?? 0, 1, 'HealthcareService.category', 'category (typeOffre)');
  hs.category?.forEach((t, i) => c.concept(t, VALUE_SET.J238, `HealthcareService.category[${i}]`));

  const specialties = countSlices<CodeableConcept, SpecialtySlice>(hs.specialty, specialtySliceOf);
  (hs.specialty ?? []).forEach((s, i) => {
    const slice = specialtySliceOf(s);
    const path = `HealthcareService.specialty[${i}]`;
    if (slice === undefined) c.add('code-invalid', path, `specialty ${codingsText(s)} is neither an activité opérationnelle (JDV_J17) nor a famille (JDV_J51)`);
    else c.concept(s, SPECIALTY_SLICES[slice].valueSet, path);
  });
  for (const slice of Object.keys(SPECIALTY_SLICES) as SpecialtySlice[]) {
    const at = specialties.get(slice) ?? [];
    const def = SPECIALTY_SLICES[slice];
    if (def.min > 0) c.required(at.length > 0, 'HealthcareService.specialty', `specialty[${slice}]`);
    c.atMost(at.length, def.max, `HealthcareService.specialty[${at[1] ?? 0}]`, `specialty[${slice}]`);
  }

  const characteristics = countSlices<CodeableConcept, CharacteristicSlice>(hs.characteristic, characteristicSliceOf);
  (hs.characteristic ?? []).forEach((ch, i) => {
    const path = `HealthcareService.characteristic[${i}]`;
    const slice = characteristicSliceOf(ch);
    if (slice !== undefined) {
      c.concept(ch, CHARACTERISTIC_SLICES[slice].valueSet, path);
      return;
    }
    const actType = actTypeOf(ch);
    const isAct = ch.coding?.some((cd) => cd.system === SYSTEM.acteSpecifique);
    if (isAct) c.add('required', `${path}.extension`, `An acte spécifique characteristic needs ror-act-type (specificAct or outsideOfficeAct), got "${actType ?? 'none'}"`);
    else if (actType !== undefined) c.add('structure', `${path}.extension`, 'ror-act-type is only allowed on acte spécifique characteristics (JDV_J16)');
    else c.add('code-invalid', path, `characteristic ${codingsText(ch)} matches no characteristic slice of RORHealthcareService`);
  });
  for (const slice of CHARACTERISTIC_NAMES) {
    const at = characteristics.get(slice) ?? [];
    const def = CHARACTERISTIC_SLICES[slice];
    if (def.min > 0) c.required(at.length > 0, 'HealthcareService.characteristic', `characteristic[${slice}]`);
    c.atMost(at.length, def.max, `HealthcareService.characteristic[${at[1] ?? 0}]`, `characteristic[${slice}]`);
  }

  const sensitive = c.single(hs, EXT.healthcareServiceSensitiveUnit, 'HealthcareService', 1, 'ror-healthcareservice-sensitive-unit (uniteSensible)');
  if (sensitive && typeof sensitive[0].valueBoolean !== 'boolean') c.add('invalid', sensitive[1], 'ror-healthcareservice-sensitive-unit must carry a valueBoolean');
  c.single(hs, EXT.healthcareServiceNoConsentHabilitation, 'HealthcareService', 0, 'ror-healthcareservice-no-consent-habilitation');

  const patientType = c.single(hs, EXT.healthcareServicePatientType, 'HealthcareService', 1, 'ror-healthcareservice-patient-type (Patientele)');
  if (patientType) {
    const [ext, p] = patientType;
    c.codedExtension(ext, SUB.patientType.supportedPatientInfo, VALUE_SET.J29, p, 0, Infinity, 'supportedPatientInfo');
    const range = c.single(ext, SUB.patientType.ageRange, p, 1, 'ageRange');
    if (range) {
      const r = range[0].valueRange;
      c.required(r?.low?.value !== undefined, `${range[1]}.valueRange.low`, 'ageRange.low (ageMin)');
      c.required(r?.high?.value !== undefined, `${range[1]}.valueRange.high`, 'ageRange.high (ageMax)');
    }
  }

  c.territorialDivisions(hs, 'HealthcareService');
  for (const [contact, p] of c.each(hs, EXT.healthcareServiceContact, 'HealthcareService')) {
    c.single(contact, SUB.healthcareServiceContact.name, p, 0, 'contact name');
    c.codedExtension(contact, EXT.contactFunctionContact, VALUE_SET.J220, p, 0, 1, 'ror-contact-function-contact');
    c.codedExtension(contact, SUB.healthcareServiceContact.purpose, VALUE_SET.J221, p, 0, 1, 'purposeContact');
    c.single(contact, SUB.healthcareServiceContact.description, p, 0, 'contact description');
    c.codedExtension(contact, EXT.confidentialityLevel, VALUE_SET.J222, p, 1, 1, 'ror-confidentiality-level');
    for (const [t, tp] of c.each(contact, EXT.healthcareServiceContactTelecom, p)) {
      c.codedExtension(t, EXT.telecomCommunicationChannel, VALUE_SET.J225, tp, 1, 1, 'ror-telecom-communication-channel');
      c.codedExtension(t, EXT.telecomConfidentialityLevel, VALUE_SET.J222, tp, 1, 1, 'ror-telecom-confidentiality-level');
      c.single(t, EXT.telecomUsage, tp, 0, 'ror-telecom-usage');
      const address = c.single(t, SUB.contactTelecom.address, tp, 1, 'telecomAddress');
      if (address && !address[0].valueString) c.add('required', address[1], 'telecomAddress needs a valueString');
    }
  }
  c.availableTimes(hs.availableTime, 'HealthcareService.availableTime');
  const closings = (hs.notAvailable ?? []).filter((n) => n.id === 'closingReopeningDate');
  c.atMost(closings.length, 1, 'HealthcareService.notAvailable', 'notAvailable[closingReopeningDate]');
  c.telecoms(hs.telecom, 'HealthcareService.telecom');
}

function codingsText(cc: CodeableConcept): string {
  return (cc.coding ?? []).map((c) => `${c.system ?? ''}|${c.code ?? ''}`).join(', ') || '(no coding)';
}

// ---------------------------------------------------------------------------------------------------------------
// Location

const CAPACITY_PARTS: readonly [string, string, 0 | 1][] = [
  [SUB.supportedCapacity.capacityType, VALUE_SET.J187, 1],
  [SUB.supportedCapacity.capacityStatus, VALUE_SET.J188, 1],
  [SUB.supportedCapacity.temporality, VALUE_SET.J189, 1],
  [SUB.supportedCapacity.sourceType, VALUE_SET.J193, 1],
  [SUB.supportedCapacity.gender, VALUE_SET.J190, 0],
  [SUB.supportedCapacity.closingType, VALUE_SET.J191, 0],
  [SUB.supportedCapacity.additionalBedType, VALUE_SET.J192, 0],
  [SUB.supportedCapacity.crisisType, VALUE_SET.J194, 0],
  [SUB.supportedCapacity.temporaryAssignment, VALUE_SET.J195, 1],
];

function checkLocation(loc: Location, c: Checker): void {
  c.meta(loc, 'Location');
  const cog = c.single(loc, EXT.communeCog, 'Location', 1, 'ror-commune-cog (communeCog)');
  if (cog) {
    const coding = cog[0].valueCodeableConcept?.coding?.[0];
    if (coding?.system !== SYSTEM.communeOM && coding?.system !== SYSTEM.commune) {
      c.add('code-invalid', `${cog[1]}.valueCodeableConcept`, `ror-commune-cog must be coded in ${SYSTEM.communeOM}, got "${coding?.system ?? ''}"`);
    }
    c.communeCode(coding?.code, `${cog[1]}.valueCodeableConcept`, 'ror-commune-cog');
  }
  c.atMost(loc.type?.length ?? 0, 1, 'Location.type', 'type (fonctionLieu)');
  loc.type?.forEach((t, i) => c.concept(t, VALUE_SET.J198, `Location.type[${i}]`));
  c.coding(loc.operationalStatus, VALUE_SET.J224, 'Location.operationalStatus');

  const idTypes = [IDENTIFIER_TYPE.lieu, IDENTIFIER_TYPE.zoneHebergement];
  for (const type of idTypes) {
    const at = (loc.identifier ?? []).flatMap((id, i) => (id.type?.coding?.some((cd) => cd.code === type.code) ? [i] : []));
    c.atMost(at.length, 1, `Location.identifier[${at[1] ?? 0}]`, `identifier of type ${type.code}`);
  }
  (loc.identifier ?? []).forEach((id, i) => {
    if (id.type) c.concept(id.type, VALUE_SET.J236, `Location.identifier[${i}].type`);
  });

  c.telecoms(loc.telecom, 'Location.telecom');
  if (loc.address) checkAddress(loc.address, 'Location.address', c, true);
  if (loc.position) c.single(loc.position, EXT.coordinateReliability, 'Location.position', 0, 'ror-coordinate-reliability');
  c.single(loc, EXT.comment, 'Location', 0, 'ror-comment');

  for (const [eq, p] of c.each(loc, EXT.locationEquipment, 'Location')) {
    c.codedExtension(eq, SUB.equipment.type, VALUE_SET.J18, p, 1, 1, 'equipmentType');
    const nb = c.single(eq, SUB.equipment.nbInService, p, 0, 'nbInService');
    if (nb) nonNegativeInteger(nb[0].valueInteger, nb[1], 'nbInService', c);
    for (const [limit, lp] of c.each(eq, EXT.locationEquipmentLimit, p)) {
      c.codedExtension(limit, SUB.equipmentLimit.feature, VALUE_SET.J228, lp, 1, 1, 'equipmentFeature');
      const value = c.single(limit, SUB.equipmentLimit.value, lp, 1, 'limitValue');
      if (value && value[0].valueQuantity?.value === undefined) c.add('required', value[1], 'limitValue needs a valueQuantity with a value');
    }
  }
  for (const [rc, p] of c.each(loc, EXT.locationResidentialCapacity, 'Location')) {
    c.codedExtension(rc, SUB.residentialCapacity.type, VALUE_SET.J32, p, 1, 1, 'residentialType');
    const nb = c.single(rc, SUB.residentialCapacity.number, p, 0, 'residentialNumber');
    if (nb) nonNegativeInteger(nb[0].valueInteger, nb[1], 'residentialNumber', c);
  }
  for (const [cap, p] of c.each(loc, EXT.locationSupportedCapacity, 'Location')) {
    for (const [name, vs, min] of CAPACITY_PARTS) c.codedExtension(cap, name, vs, p, min, 1, `${name} of a capacity entry`);
    const nb = c.single(cap, SUB.supportedCapacity.nbCapacity, p, 1, `${SUB.supportedCapacity.nbCapacity} of a capacity entry`);
    if (nb) nonNegativeInteger(nb[0].valueInteger, nb[1], 'nbCapacity', c);
    const date = c.single(cap, SUB.supportedCapacity.updateDate, p, 1, `${SUB.supportedCapacity.updateDate} of a capacity entry`);
    if (date && (date[0].valueDateTime === undefined || !DATE_TIME.test(date[0].valueDateTime))) {
      c.add('invalid', date[1], 'capacityUpdateDate must carry a valueDateTime');
    }
    c.single(cap, SUB.supportedCapacity.comment, p, 0, 'comment of a capacity entry');
  }
}

function nonNegativeInteger(value: number | undefined, path: string, what: string, c: Checker): void {
  if (value === undefined || !Number.isInteger(value) || value < 0) c.add('invalid', path, `${what} must be a non-negative integer (valueInteger)`);
}

// ---------------------------------------------------------------------------------------------------------------
// Practitioner, PractitionerRole, Task

function checkPractitioner(p: Practitioner, c: Checker): void {
  c.meta(p, 'Practitioner');
  const idNatPs = (p.identifier ?? []).filter((i) => i.system === IDENTIFIER_SYSTEM.idNatPs);
  c.required(idNatPs.length > 0, 'Practitioner.identifier', `identifier[idNatPs] (system ${IDENTIFIER_SYSTEM.idNatPs})`);
  c.atMost(idNatPs.length, 1, 'Practitioner.identifier', 'identifier[idNatPs]');
  c.telecoms(p.telecom, 'Practitioner.telecom');
}

const ROLE_SPECIALTY_NAMES = Object.keys(ROLE_SPECIALTY_SLICES) as RoleSpecialtySlice[];

function checkPractitionerRole(role: PractitionerRole, c: Checker): void {
  c.meta(role, 'PractitionerRole');
  c.required(role.practitioner?.reference !== undefined, 'PractitionerRole.practitioner', 'practitioner');
  c.required((role.healthcareService?.length ?? 0) > 0, 'PractitionerRole.healthcareService', 'healthcareService (the offer)');
  c.atMost(role.healthcareService?.length ?? 0, 1, 'PractitionerRole.healthcareService', 'healthcareService');
  c.atMost(role.identifier?.length ?? 0, 1, 'PractitionerRole.identifier', 'identifier');
  c.required((role.code?.length ?? 0) > 0, 'PractitionerRole.code', 'code (profession)');
  c.atMost(role.code?.length ?? 0, 1, 'PractitionerRole.code', 'code (profession)');
  role.code?.forEach((cc, i) => c.concept(cc, VALUE_SET.J229, `PractitionerRole.code[${i}]`));

  const slices = countSlices<CodeableConcept, RoleSpecialtySlice>(role.specialty, roleSpecialtySliceOf);
  (role.specialty ?? []).forEach((s, i) => {
    const slice = roleSpecialtySliceOf(s);
    const path = `PractitionerRole.specialty[${i}]`;
    if (slice === undefined) c.add('code-invalid', path, `specialty ${codingsText(s)} matches no savoir-faire slice of RORPractitionerRole`);
    else c.concept(s, ROLE_SPECIALTY_SLICES[slice].valueSet, path);
  });
  for (const slice of ROLE_SPECIALTY_NAMES) {
    const at = slices.get(slice) ?? [];
    const def = ROLE_SPECIALTY_SLICES[slice];
    if (def.min > 0) c.required(at.length > 0, 'PractitionerRole.specialty', `specialty[${slice}]`);
    c.atMost(at.length, def.max, `PractitionerRole.specialty[${at[1] ?? 0}]`, `specialty[${slice}]`);
  }

  c.codedExtension(role, EXT.practitionerRoleUnitExerciseMode, VALUE_SET.J217, 'PractitionerRole', 1, 1, 'ror-practitionerrole-unit-exercise-mode (modeExerciceOffre)');
  const name = c.single(role, EXT.practitionerRoleName, 'PractitionerRole', 0, 'ror-practitionerrole-name');
  if (name) {
    c.codedExtension(name[0], SUB.practitionerRoleName.title, VALUE_SET.J208, name[1], 0, 1, 'exerciseTitle');
    const last = c.single(name[0], SUB.practitionerRoleName.lastName, name[1], 1, 'exerciseLastName');
    if (last && !last[0].valueString) c.add('required', last[1], 'exerciseLastName needs a valueString');
    c.single(name[0], SUB.practitionerRoleName.firstName, name[1], 0, 'exerciseFirstName');
  }
  c.codedExtension(role, EXTERNAL_EXT.practitionerRoleContracted, VALUE_SET.J218, 'PractitionerRole', 0, 1, 'secteur de conventionnement');
  c.atMost(role.availableTime?.length ?? 0, 1, 'PractitionerRole.availableTime', 'availableTime');
  c.availableTimes(role.availableTime, 'PractitionerRole.availableTime');
  c.atMost(role.telecom?.length ?? 0, 1, 'PractitionerRole.telecom', 'telecom');
  c.telecoms(role.telecom, 'PractitionerRole.telecom');
}

/** R4 TaskStatus (required binding). */
const TASK_STATUSES: ReadonlySet<string> = new Set([
  'draft', 'requested', 'received', 'accepted', 'rejected', 'ready', 'cancelled', 'in-progress', 'on-hold', 'failed', 'completed', 'entered-in-error',
]);

function checkTask(task: Task, c: Checker): void {
  if (!TASK_STATUSES.has(task.status)) c.add('code-invalid', 'Task.status', `status "${task.status}" is not a TaskStatus code (${[...TASK_STATUSES].join(', ')})`);
  c.required(task.businessStatus !== undefined, 'Task.businessStatus', 'businessStatus (statut métier)');
  c.required(task.code !== undefined, 'Task.code', 'code (thématique)');
  c.required(task.focus !== undefined, 'Task.focus', 'focus (the resource in anomaly)');
  c.required(task.authoredOn !== undefined, 'Task.authoredOn', 'authoredOn');
  c.required(task.lastModified !== undefined, 'Task.lastModified', 'lastModified');
  c.required(task.reasonCode !== undefined, 'Task.reasonCode', 'reasonCode (action proposée)');
  c.atMost(task.identifier?.length ?? 0, 1, 'Task.identifier', 'identifier');
  const requesters = (task.input ?? []).flatMap((i, n) =>
    i.type.coding?.some((cd) => cd.system === ROR_CODE_SYSTEM.inputTask && cd.code === TASK_INPUT.systemRequester) ? [n] : [],
  );
  c.required(requesters.length > 0, 'Task.input', 'input[systemRequester]');
  c.atMost(requesters.length, 1, 'Task.input', 'input[systemRequester]');
  for (const n of requesters) {
    if (!task.input?.[n]?.valueString) c.add('required', `Task.input[${n}]`, 'input[systemRequester] needs a valueString');
  }
}

/** ROR profile checks for one resource (resource types outside the ROR give an issue). */
export function checkProfile(resource: Resource): OperationOutcomeIssue[] {
  const c = new Checker();
  switch (resource.resourceType) {
    case 'Organization':
      checkOrganization(resource, c);
      break;
    case 'HealthcareService':
      checkHealthcareService(resource, c);
      break;
    case 'Location':
      checkLocation(resource, c);
      break;
    case 'Practitioner':
      checkPractitioner(resource, c);
      break;
    case 'PractitionerRole':
      checkPractitionerRole(resource, c);
      break;
    case 'Task':
      checkTask(resource, c);
      break;
    default:
      c.add('invalid', resource.resourceType, `${resource.resourceType} is not a resource type of the ROR`);
  }
  return c.issues;
}
