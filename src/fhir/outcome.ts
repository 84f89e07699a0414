import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { StoreError } from '../store/errors.ts';

export function operationOutcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

/** The status and OperationOutcome for any error thrown while serving a FHIR request. */
export function outcomeForError(err: unknown): { status: number; outcome: OperationOutcome } {
  if (err instanceof StoreError) return { status: err.status, outcome: operationOutcome(err.issues) };
  return {
    status: 500,
    outcome: operationOutcome([{ severity: 'fatal', code: 'exception', diagnostics: 'Internal server error' }]),
  };
}
