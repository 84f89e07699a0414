import type { Extension, HealthcareService, Location, Organization, OperationOutcomeIssue, Quantity, Resource } from '@medplum/fhirtypes';
import { familleOfActivite, hasCode } from '../nos/index.ts';
import { CAPACITY_STATUS, type CapacityEntry, capacityKeyOf, readCapacityExtension } from './capacity.ts';
import { codeOf, extension } from './ext.ts';
import {
  AGE_UNITS,
  CHAMP_ACTIVITE,
  characteristicSliceOf,
  getActivite,
  getChampActivite,
  getFamille,
  isSensitiveUnit,
  SERVICE_CLOSING_TYPE,
} from './healthcare-service.ts';
import { issue } from './issues.ts';
import { LOCATION_STATUS } from './location.ts';
import { CONFIDENTIALITY } from './telecom.ts';
import { EXT, EXTERNAL_EXT, SUB, SYSTEM, VALUE_SET } from './urls.ts';

/**
 * Exposure-model rules (RG_EXP_*, modèle d'exposition ROR 3.0) that can be checked on one resource.
 * Each returns the issues found (empty: the rule holds); a resource type a rule does not concern gives [].
 */
export type Rule = (resource: Resource) => OperationOutcomeIssue[];

const CLOSING_ID = 'closingReopeningDate';

/** Whether FHIR date/dateTime `a` is strictly before `b` (unparseable values compare as not before). */
function before(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return !Number.isNaN(ta) && !Number.isNaN(tb) && ta < tb;
}
/** TRE_R286 code of a temporary closure (J185 and J201). */
const TEMPORARY_CLOSURE = SERVICE_CLOSING_TYPE.provisional;

function extIndex(resource: { extension?: Extension[] }, url: string): number {
  return resource.extension?.findIndex((e) => e.url === url) ?? -1;
}

function closingOfService(hs: HealthcareService): { typeIndex: number; type?: string; notAvailableIndex: number; start?: string; end?: string } {
  const typeIndex = (hs.characteristic ?? []).findIndex((c) => characteristicSliceOf(c) === 'temporalityStopService');
  const notAvailableIndex = (hs.notAvailable ?? []).findIndex((n) => n.id === CLOSING_ID);
  const during = hs.notAvailable?.[notAvailableIndex]?.during;
  const type = typeIndex < 0 ? undefined : codeOf(hs.characteristic?.[typeIndex]);
  const read: { typeIndex: number; type?: string; notAvailableIndex: number; start?: string; end?: string } = { typeIndex, notAvailableIndex };
  if (type !== undefined) read.type = type;
  if (during?.start !== undefined) read.start = during.start;
  if (during?.end !== undefined) read.end = during.end;
  return read;
}

/** RG_EXP_043: a closing date is given if and only if a closing type is (offer, EJ, EG, OI). */
export const rgExp043: Rule = (resource) => {
  if (resource.resourceType === 'HealthcareService') {
    const c = closingOfService(resource);
    if (c.typeIndex >= 0 && c.start === undefined) {
      return [issue('invalid', `HealthcareService.characteristic[${c.typeIndex}]`, 'RG_EXP_043: a closing type (typeFermeture) requires a closing date (notAvailable[closingReopeningDate].during.start)')];
    }
    if (c.typeIndex < 0 && c.start !== undefined) {
      return [issue('invalid', `HealthcareService.notAvailable[${c.notAvailableIndex}].during.start`, 'RG_EXP_043: a closing date requires a closing type (characteristic[temporalityStopService], JDV_J185)')];
    }
    return [];
  }
  if (resource.resourceType === 'Organization') {
    const typeAt = extIndex(resource, EXT.organizationClosingType);
    const periodAt = extIndex(resource, EXTERNAL_EXT.organizationPeriod);
    const end = resource.extension?.[periodAt]?.valuePeriod?.end;
    if (typeAt >= 0 && end === undefined) {
      return [issue('invalid', `Organization.extension[${typeAt}]`, 'RG_EXP_043: a closing type (typeFermeture) requires a closing date (organization-period end)')];
    }
    if (typeAt < 0 && end !== undefined) {
      return [issue('invalid', `Organization.extension[${periodAt}].valuePeriod.end`, 'RG_EXP_043: a closing date requires a closing type (ror-organization-closing-type)')];
    }
  }
  return [];
};

/** RG_EXP_045: a planned reopening date only goes with a temporary closure (type PRO). */
export const rgExp045: Rule = (resource) => {
  if (resource.resourceType === 'HealthcareService') {
    const c = closingOfService(resource);
    if (c.end !== undefined && c.type !== TEMPORARY_CLOSURE) {
      return [issue('invalid', `HealthcareService.notAvailable[${c.notAvailableIndex}].during.end`, `RG_EXP_045: a reopening date requires a temporary closure (typeFermeture ${TEMPORARY_CLOSURE})`)];
    }
    if (c.start !== undefined && c.end !== undefined && before(c.end, c.start)) {
      return [issue('invalid', `HealthcareService.notAvailable[${c.notAvailableIndex}].during`, 'RG_EXP_045: the reopening date precedes the closing date')];
    }
    return [];
  }
  if (resource.resourceType === 'Organization') {
    const at = extIndex(resource, EXT.organizationReopeningDate);
    if (at < 0) return [];
    const type = codeOf(extension(resource, EXT.organizationClosingType)?.valueCodeableConcept);
    if (type !== TEMPORARY_CLOSURE) {
      return [issue('invalid', `Organization.extension[${at}]`, `RG_EXP_045: a reopening date requires a temporary closure (typeFermeture ${TEMPORARY_CLOSURE})`)];
    }
  }
  return [];
};

function isMedicoSocial(hs: HealthcareService): boolean {
  return getChampActivite(hs)?.code === CHAMP_ACTIVITE.medicoSocial;
}

/** RG_EXP_008: a médico-social offer (champ 04) states its public pris en charge. */
export const rgExp008: Rule = (resource) => {
  if (resource.resourceType !== 'HealthcareService' || !isMedicoSocial(resource)) return [];
  const at = extIndex(resource, EXT.healthcareServicePatientType);
  const publics = resource.extension?.[at]?.extension?.filter((e) => e.url === SUB.patientType.supportedPatientInfo) ?? [];
  if (publics.length > 0) return [];
  const path = at < 0 ? 'HealthcareService.extension' : `HealthcareService.extension[${at}]`;
  return [issue('required', path, 'RG_EXP_008: a médico-social offer (champ 04) needs at least one public pris en charge (supportedPatientInfo, JDV_J29)')];
};

/** RG_EXP_007: a médico-social offer (champ 04) states the famille of its activité opérationnelle. */
export const rgExp007: Rule = (resource) => {
  if (resource.resourceType !== 'HealthcareService' || !isMedicoSocial(resource) || getFamille(resource)) return [];
  return [issue('required', 'HealthcareService.specialty', 'RG_EXP_007: a médico-social offer (champ 04) needs its famille d\'activité (specialty[operationalActivityFamily], JDV_J51)')];
};

/** The famille given must be the one ASS_A14 assigns to the activité (when it assigns one). */
export const familleMatchesActivite: Rule = (resource) => {
  if (resource.resourceType !== 'HealthcareService') return [];
  const activite = getActivite(resource)?.code;
  const famille = getFamille(resource);
  if (activite === undefined || famille === undefined || famille.system !== SYSTEM.familleActiviteSerafin) return [];
  if (!hasCode(VALUE_SET.J17, SYSTEM.activiteOperationnelle, activite)) return [];
  const expected = familleOfActivite(activite)?.code;
  if (expected === undefined || expected === famille.code) return [];
  const at = (resource.specialty ?? []).findIndex((s) => s.coding?.some((c) => c.system === famille.system && c.code === famille.code));
  return [issue('invalid', `HealthcareService.specialty[${at}]`, `ASS_A14: activité ${activite} belongs to famille ${expected}, not ${famille.code ?? ''}`)];
};

const DAYS_PER_UNIT: Readonly<Record<string, number>> = { a: 365.25, mo: 30.4375, wk: 7, d: 1 };

function ageUnit(q: Quantity): string | undefined {
  return q.code ?? q.unit;
}

/** RG_EXP_048: ages in a, mo, wk or d (UCUM), non-negative, minimum ≤ maximum. */
export const rgExp048: Rule = (resource) => {
  if (resource.resourceType !== 'HealthcareService') return [];
  const at = extIndex(resource, EXT.healthcareServicePatientType);
  const patientType = resource.extension?.[at];
  const rangeAt = patientType?.extension?.findIndex((e) => e.url === SUB.patientType.ageRange) ?? -1;
  const range = patientType?.extension?.[rangeAt]?.valueRange;
  if (!range) return [];
  const base = `HealthcareService.extension[${at}].extension[${rangeAt}].valueRange`;
  const issues: OperationOutcomeIssue[] = [];
  const days: (number | undefined)[] = [];
  for (const side of ['low', 'high'] as const) {
    const q = range[side];
    if (!q) continue;
    const unit = ageUnit(q);
    if (unit === undefined || !(AGE_UNITS as readonly string[]).includes(unit)) {
      issues.push(issue('invalid', `${base}.${side}`, `RG_EXP_048: age unit must be one of ${AGE_UNITS.join(', ')} (UCUM), got "${unit ?? ''}"`));
    } else if (q.system !== undefined && q.system !== 'http://unitsofmeasure.org') {
      issues.push(issue('invalid', `${base}.${side}.system`, 'RG_EXP_048: age units are UCUM (http://unitsofmeasure.org)'));
    }
    if (q.value === undefined || q.value < 0) {
      issues.push(issue('invalid', `${base}.${side}.value`, 'RG_EXP_048: an age must be a non-negative number'));
    }
    const factor = unit === undefined ? undefined : DAYS_PER_UNIT[unit];
    days.push(factor !== undefined && q.value !== undefined ? q.value * factor : undefined);
  }
  const [low, high] = days;
  if (issues.length === 0 && low !== undefined && high !== undefined && low > high) {
    issues.push(issue('invalid', base, 'RG_EXP_048: the minimum age is greater than the maximum age'));
  }
  return issues;
};

/** RG_EXP_039: the contacts of a sensitive unit (and their telecoms) are "très restreint" (J222 code 3). */
export const rgExp039: Rule = (resource) => {
  if (resource.resourceType !== 'HealthcareService' || isSensitiveUnit(resource) !== true) return [];
  const issues: OperationOutcomeIssue[] = [];
  (resource.extension ?? []).forEach((contact, i) => {
    if (contact.url !== EXT.healthcareServiceContact) return;
    (contact.extension ?? []).forEach((part, j) => {
      if (part.url === EXT.confidentialityLevel && codeOf(part.valueCodeableConcept) !== CONFIDENTIALITY.veryRestricted) {
        issues.push(issue('invalid', `HealthcareService.extension[${i}].extension[${j}]`, 'RG_EXP_039: a contact of a sensitive unit must be "très restreint" (JDV_J222 code 3)'));
      }
      if (part.url !== EXT.healthcareServiceContactTelecom) return;
      (part.extension ?? []).forEach((t, k) => {
        if (t.url === EXT.telecomConfidentialityLevel && codeOf(t.valueCodeableConcept) !== CONFIDENTIALITY.veryRestricted) {
          issues.push(issue('invalid', `HealthcareService.extension[${i}].extension[${j}].extension[${k}]`, 'RG_EXP_039: a contact telecom of a sensitive unit must be "très restreint" (JDV_J222 code 3)'));
        }
      });
    });
  });
  return issues;
};

/** RG_EXP_014: a horaire states its weekday or its effective period. */
export const rgExp014: Rule = (resource) => {
  if (resource.resourceType !== 'HealthcareService' && resource.resourceType !== 'PractitionerRole') return [];
  const issues: OperationOutcomeIssue[] = [];
  (resource.availableTime ?? []).forEach((at, i) => {
    const hasDay = extension(at, EXT.availableTimeNumberDaysOfWeek) !== undefined || (at.daysOfWeek?.length ?? 0) > 0;
    const hasPeriod = extension(at, EXT.availableTimeEffectiveOpeningClosingDate) !== undefined;
    if (!hasDay && !hasPeriod) {
      issues.push(issue('required', `${resource.resourceType}.availableTime[${i}]`, 'RG_EXP_014: a horaire needs a weekday (ror-available-time-number-days-of-week) or an effective period'));
    }
  });
  return issues;
};

/** Opening date not after closing date (organization-period). */
export const organizationPeriodOrder: Rule = (resource) => {
  if (resource.resourceType !== 'Organization') return [];
  const at = extIndex(resource, EXTERNAL_EXT.organizationPeriod);
  const period = (resource as Organization).extension?.[at]?.valuePeriod;
  if (period?.start !== undefined && period.end !== undefined && before(period.end, period.start)) {
    return [issue('invalid', `Organization.extension[${at}].valuePeriod`, 'The closing date (dateFermeture) precedes the opening date (dateOuverture)')];
  }
  return [];
};

/**
 * Capacity entries (ror-location-supported-capacity): closing type only for status 05 (fermé), additional bed
 * type only for status 06 (supplémentaire), a non-negative integer count, and one entry per full key.
 */
export const capacityEntryRules: Rule = (resource) => {
  if (resource.resourceType !== 'Location') return [];
  const issues: OperationOutcomeIssue[] = [];
  const seen = new Map<string, number>();
  ((resource as Location).extension ?? []).forEach((ext, i) => {
    if (ext.url !== EXT.locationSupportedCapacity) return;
    const path = `Location.extension[${i}]`;
    const nbAt = ext.extension?.findIndex((e) => e.url === SUB.supportedCapacity.nbCapacity) ?? -1;
    const nb = ext.extension?.[nbAt]?.valueInteger;
    if (nbAt >= 0 && (nb === undefined || !Number.isInteger(nb) || nb < 0)) {
      issues.push(issue('invalid', `${path}.extension[${nbAt}].valueInteger`, 'nbCapacity must be a non-negative integer'));
    }
    let entry: CapacityEntry;
    try {
      entry = readCapacityExtension(ext);
    } catch {
      return;
    }
    if (entry.closingType !== undefined && entry.capacityStatus !== CAPACITY_STATUS.ferme) {
      issues.push(issue('invalid', path, `capacityClosingType is only allowed with capacityStatus ${CAPACITY_STATUS.ferme} (fermé), not ${entry.capacityStatus}`));
    }
    if (entry.additionalBedType !== undefined && entry.capacityStatus !== CAPACITY_STATUS.supplementaire) {
      issues.push(issue('invalid', path, `additionalBedType is only allowed with capacityStatus ${CAPACITY_STATUS.supplementaire} (supplémentaire), not ${entry.capacityStatus}`));
    }
    const key = capacityKeyOf(entry);
    const first = seen.get(key);
    if (first !== undefined) issues.push(issue('invalid', path, `Duplicate capacity entry: same key as Location.extension[${first}] (${key})`));
    else seen.set(key, i);
  });
  return issues;
};

/** Whether a lieu is closed (statut 1 fermé définitivement or 2 fermé temporairement, JDV_J224). */
export function isClosedLocation(location: Location): boolean {
  const code = location.operationalStatus?.code;
  return code === LOCATION_STATUS.closedDefinitively || code === LOCATION_STATUS.closedTemporarily;
}

/** RG_EXP_047: a closed lieu has nothing available (disponible 0 alone means saturated but open). */
export const rgExp047: Rule = (resource) => {
  if (resource.resourceType !== 'Location' || !isClosedLocation(resource as Location)) return [];
  const issues: OperationOutcomeIssue[] = [];
  ((resource as Location).extension ?? []).forEach((ext, i) => {
    if (ext.url !== EXT.locationSupportedCapacity) return;
    let entry: CapacityEntry;
    try {
      entry = readCapacityExtension(ext);
    } catch {
      return;
    }
    if (entry.capacityStatus === CAPACITY_STATUS.disponible && entry.nbCapacity > 0) {
      issues.push(issue('invalid', `Location.extension[${i}]`, `RG_EXP_047: a closed lieu (operationalStatus ${resource.operationalStatus?.code}) has 0 available, not ${entry.nbCapacity}`));
    }
  });
  return issues;
};

/**
 * Consistency of the figures of one lieu, reported as warnings (the write is kept; the beds module
 * raises an anomaly) of a lieu's entries: per nature and temporalité, disponible ≤ installé + supplémentaire, and the per-genre
 * disponible figures add up to no more than the undifferentiated one.
 */
export function capacityConsistency(entries: readonly CapacityEntry[]): OperationOutcomeIssue[] {
  const ordinary = entries.filter((e) => e.crisisType === undefined && e.temporaryAssignment === '01');
  const issues: OperationOutcomeIssue[] = [];
  const groups = new Set(ordinary.map((e) => `${e.capacityType}|${e.temporality}`));
  for (const g of groups) {
    const [nature, temporality] = g.split('|') as [string, string];
    const of = (status: string): CapacityEntry[] => ordinary.filter((e) => e.capacityType === nature && e.temporality === temporality && e.capacityStatus === status);
    const whole = (list: CapacityEntry[]): CapacityEntry[] => list.filter((e) => e.gender === undefined || e.gender === '03');
    const sum = (list: CapacityEntry[]): number => list.reduce((n, e) => n + e.nbCapacity, 0);
    const available = of(CAPACITY_STATUS.disponible);
    const installed = whole(of(CAPACITY_STATUS.installe));
    const availableWhole = whole(available);
    const gendered = available.filter((e) => e.gender !== undefined && e.gender !== '03');
    const headline = availableWhole.length > 0 ? sum(availableWhole) : sum(gendered);
    if (installed.length > 0 && headline > sum(installed) + sum(of(CAPACITY_STATUS.supplementaire))) {
      issues.push({
        severity: 'warning',
        code: 'business-rule',
        diagnostics: `Disponible (${headline}) supérieur à installé + supplémentaire (${sum(installed)} + ${sum(of(CAPACITY_STATUS.supplementaire))}) — nature ${nature}, temporalité ${temporality}`,
        expression: ['Location.extension'],
      });
    }
    if (availableWhole.length > 0 && gendered.length > 0 && sum(gendered) > sum(availableWhole)) {
      issues.push({
        severity: 'warning',
        code: 'business-rule',
        diagnostics: `Les disponibles par genre (${sum(gendered)}) dépassent le disponible total (${sum(availableWhole)}) — nature ${nature}, temporalité ${temporality}`,
        expression: ['Location.extension'],
      });
    }
  }
  return issues;
}

/** Every single-resource rule, in the order they are reported. */
export const RULES: readonly Rule[] = [
  rgExp043,
  rgExp045,
  rgExp007,
  rgExp008,
  familleMatchesActivite,
  rgExp048,
  rgExp039,
  rgExp014,
  organizationPeriodOrder,
  capacityEntryRules,
  rgExp047,
];

/** Runs every rule on a resource. */
export function checkRules(resource: Resource): OperationOutcomeIssue[] {
  return RULES.flatMap((rule) => rule(resource));
}
