import type { OperationOutcomeIssue } from '@medplum/fhirtypes';

/** The issue codes this layer reports (FHIR IssueType). */
export type IssueCode = 'invalid' | 'required' | 'code-invalid' | 'structure';

/** An error issue in OperationOutcome.issue shape, pointing at one element (FHIRPath-like path). */
export function issue(code: IssueCode, path: string, diagnostics: string): OperationOutcomeIssue {
  return { severity: 'error', code, expression: [path], diagnostics };
}
