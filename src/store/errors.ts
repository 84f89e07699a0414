import type { OperationOutcomeIssue } from '@medplum/fhirtypes';

/** A refused store operation, with the HTTP status it maps to and the issues that explain it. */
export class StoreError extends Error {
  readonly status: number;
  readonly issues: OperationOutcomeIssue[];
  constructor(status: number, issues: OperationOutcomeIssue[]) {
    super(issues.map((i) => i.diagnostics ?? i.code).join('; '));
    this.status = status;
    this.issues = issues;
  }
}

export function issue(code: OperationOutcomeIssue['code'], diagnostics: string, expression?: string): OperationOutcomeIssue {
  return { severity: 'error', code, diagnostics, ...(expression ? { expression: [expression] } : {}) };
}

export const notFound = (what: string): StoreError => new StoreError(404, [issue('not-found', `${what} not found`)]);
export const gone = (what: string): StoreError => new StoreError(410, [issue('deleted', `${what} has been deleted`)]);
export const badRequest = (diagnostics: string, expression?: string): StoreError =>
  new StoreError(400, [issue('invalid', diagnostics, expression)]);
export const versionConflict = (diagnostics: string): StoreError => new StoreError(412, [issue('conflict', diagnostics)]);
export const invalidResource = (issues: OperationOutcomeIssue[]): StoreError => new StoreError(422, issues);
