import assert from 'node:assert/strict';
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import type { Principal } from '../auth/principal.ts';
import type { Repository } from '../store/repository.ts';
import { handleFhirRequest, type FhirRequest, type FhirResponse } from './router.ts';

export const TEST_BASE_URL = 'http://ror.test/fhir';

/** The diagnostics of an OperationOutcome answer, joined. */
export const diagnostics = (res: FhirResponse): string => (res.body as OperationOutcome).issue?.map((i) => i.diagnostics).join('; ') ?? '';

/** A FHIR GET through the router (no HTTP), as `principal`. */
export function fhirGet(repo: Repository, principal: Principal, path: string, query: FhirRequest['query'] = {}, prefer?: string): Promise<FhirResponse> {
  return handleFhirRequest({ method: 'GET', path, query, baseUrl: TEST_BASE_URL, ...(prefer ? { prefer } : {}) }, { repo, principal });
}

/** The sorted ids a searchset answer matches; the search must succeed and its total agree. */
export function matchedIds(res: FhirResponse): string[] {
  assert.equal(res.status, 200, diagnostics(res));
  const bundle = res.body as Bundle;
  const found = (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource?.id as string);
  assert.equal(bundle.total, found.length);
  return found.sort();
}
