export * from './urls.ts';
export type { CodeInput, HasExtensions, PrimitiveElement } from './ext.ts';
export {
  codeOf,
  codingOf,
  DATE,
  DATE_TIME,
  extension,
  extensions,
  nosCoding,
  nosConcept,
  replaceExtension,
  replaceExtensions,
} from './ext.ts';
export * from './meta.ts';
export * from './telecom.ts';
export * from './address.ts';
export * from './contact.ts';
export * from './territory.ts';
export * from './identifier.ts';
export * from './available-time.ts';
export * from './organization.ts';
export * from './healthcare-service.ts';
export * from './capacity.ts';
export * from './location.ts';
export * from './practitioner.ts';
export * from './task.ts';
export type { IssueCode } from './issues.ts';
export * from './rules.ts';
export { checkProfile } from './profile.ts';
export { loadR4Definitions, validateR4Full, validateR4Structure, validateRorResource, type ValidateOptions } from './validate.ts';
