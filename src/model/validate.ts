import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { checkProfile } from './profile.ts';
import { checkRules } from './rules.ts';
import { validateR4Full, validateR4Structure } from './structure.ts';

export { loadR4Definitions, validateR4Full, validateR4Structure } from './structure.ts';

export interface ValidateOptions {
  /** also run the exposure-model rules (RG_EXP_*); default true */
  rules?: boolean;
  /** use Medplum's complete validator (FHIRPath invariants included, milliseconds per resource); default false */
  full?: boolean;
}

/**
 * Validates a resource for the ROR store: R4 structure, then (when structurally sound) the ROR profile
 * (mandatory elements and slices, NOS bindings) and the single-resource exposure-model rules.
 * Returns the errors found; an empty list means valid.
 */
export function validateRorResource(resource: Resource, options: ValidateOptions = {}): OperationOutcomeIssue[] {
  const structure = options.full ? validateR4Full(resource) : validateR4Structure(resource);
  if (structure.length > 0) return structure;
  const profile = checkProfile(resource);
  if (options.rules === false) return profile;
  return [...profile, ...checkRules(resource)];
}
