import type { CodeableConcept, Coding, Extension } from '@medplum/fhirtypes';
import { conceptIn, findValueSet } from '../nos/index.ts';

/** Anything that can carry extensions. */
export interface HasExtensions {
  extension?: Extension[];
}

/** JSON form of the extensions of a primitive value (`_name`, `_line`), absent from @medplum/fhirtypes. */
export interface PrimitiveElement {
  id?: string;
  extension?: Extension[];
}

/** A code to write: a bare code (in the element's default system) or an explicit `system|code`. */
export type CodeInput = string | { system: string; code: string };

export function extensions(el: HasExtensions | undefined, url: string): Extension[] {
  return el?.extension?.filter((e) => e.url === url) ?? [];
}

export function extension(el: HasExtensions | undefined, url: string): Extension | undefined {
  return el?.extension?.find((e) => e.url === url);
}

/** Replaces every extension `url` of `el` by `values` (none: removes them), keeping the others in place. */
export function replaceExtensions(el: HasExtensions, url: string, values: Extension[]): void {
  const kept = (el.extension ?? []).filter((e) => e.url !== url);
  const at = el.extension?.findIndex((e) => e.url === url) ?? -1;
  const next = at < 0 ? [...kept, ...values] : [...kept.slice(0, at), ...values, ...kept.slice(at)];
  if (next.length > 0) el.extension = next;
  else delete el.extension;
}

export function replaceExtension(el: HasExtensions, url: string, value: Extension | undefined): void {
  replaceExtensions(el, url, value ? [value] : []);
}

/**
 * Builds a Coding of the NOS value set `valueSetUrl` with its published label. A bare `code` is taken in
 * `defaultSystem` (or the value set's only system). Throws when the code is not in the value set.
 */
export function nosCoding(valueSetUrl: string, input: CodeInput, defaultSystem?: string): Coding {
  const vs = findValueSet(valueSetUrl);
  if (!vs) throw new Error(`Unknown NOS value set ${valueSetUrl}`);
  let system: string;
  let code: string;
  if (typeof input === 'string') {
    code = input;
    const only = vs.systems.length === 1 ? vs.systems[0] : undefined;
    const chosen = defaultSystem ?? only;
    if (chosen === undefined) throw new Error(`Code "${input}" is ambiguous in ${vs.id}: give its system (${vs.systems.join(', ')})`);
    system = chosen;
  } else {
    ({ system, code } = input);
  }
  const concept = conceptIn(vs.url, system, code);
  if (!concept) throw new Error(`Code ${system}|${code} is not in ${vs.id}`);
  return concept.display === undefined ? { system, code } : { system, code, display: concept.display };
}

export function nosConcept(valueSetUrl: string, input: CodeInput, defaultSystem?: string): CodeableConcept {
  return { coding: [nosCoding(valueSetUrl, input, defaultSystem)] };
}

/** First coding of a CodeableConcept whose system is one of `systems` (any system when omitted). */
export function codingOf(cc: CodeableConcept | undefined, systems?: readonly string[]): Coding | undefined {
  return cc?.coding?.find((c) => systems === undefined || (c.system !== undefined && systems.includes(c.system)));
}

export function codeOf(cc: CodeableConcept | undefined, systems?: readonly string[]): string | undefined {
  return codingOf(cc, systems)?.code;
}

export function hasSystem(cc: CodeableConcept | undefined, systems: readonly string[]): boolean {
  return codingOf(cc, systems) !== undefined;
}

/** A complex extension with its sub-extensions, dropping absent ones. */
export function complexExtension(url: string, parts: (Extension | undefined)[]): Extension {
  return { url, extension: parts.filter((p): p is Extension => p !== undefined) };
}

export function sub(el: HasExtensions | undefined, name: string): Extension | undefined {
  return extension(el, name);
}

export function subs(el: HasExtensions | undefined, name: string): Extension[] {
  return extensions(el, name);
}

/** FHIR R4 `date` and `dateTime` (a time needs seconds and a zone). */
export const DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;
export const DATE_TIME =
  /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/;

export function isoDateTime(value: string, what: string): string {
  if (!DATE_TIME.test(value)) {
    throw new Error(`${what} must be a FHIR dateTime (e.g. 2024-05-01T08:00:00Z), got "${value}"`);
  }
  return value;
}

export function isoDate(value: string, what: string): string {
  if (!DATE.test(value)) throw new Error(`${what} must be a FHIR date (YYYY-MM-DD), got "${value}"`);
  return value;
}
