import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { operationOutcome } from '../fhir/outcome.ts';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export function isFhirPath(url: string): boolean {
  return url === '/fhir' || url.startsWith('/fhir/') || url.startsWith('/fhir?');
}

/** Paths whose clients are programs (bearer tokens): a 401 there carries `WWW-Authenticate: Bearer`. */
export function isApiPath(url: string): boolean {
  return isFhirPath(url) || url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

const ISSUE_CODE: Readonly<Record<number, OperationOutcomeIssue['code']>> = {
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  413: 'too-long',
  415: 'not-supported',
  429: 'throttled',
};

/**
 * Sends an error the way the path's clients read them: an OperationOutcome under `/fhir`, the JSON
 * `{ error: { code, message } }` elsewhere.
 */
export function sendError(req: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  reply.code(status);
  if (isFhirPath(req.url)) {
    const issueCode = ISSUE_CODE[status] ?? (status >= 500 ? 'exception' : 'invalid');
    return reply.type(FHIR_JSON).send(operationOutcome([{ severity: 'error', code: issueCode, diagnostics: message }]));
  }
  return reply.send({ error: { code, message } });
}

/** Thrown by route handlers for a JSON error answer (`/api`, `/auth`). */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
  }
}
