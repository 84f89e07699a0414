import { findValueSet, hasCode } from '../nos/index.ts';

/** Whether `code` is a code of the NOS value set `valueSetUrl`, in any of its code systems. */
export function inValueSet(valueSetUrl: string, code: unknown): code is string {
  return typeof code === 'string' && (findValueSet(valueSetUrl)?.systems ?? []).some((system) => hasCode(valueSetUrl, system, code));
}
