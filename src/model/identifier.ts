import type { Identifier } from '@medplum/fhirtypes';
import { nosConcept } from './ext.ts';
import { IDENTIFIER_SYSTEM, SYSTEM, VALUE_SET } from './urls.ts';

/** An identifier slice of the ROR profiles: its system, its type (JDV_J236) and the format of its value. */
export interface IdentifierSlice {
  readonly system: string;
  readonly typeSystem: string;
  readonly typeCode: string;
  readonly pattern: RegExp;
  readonly label: string;
}

/** FINESS number: 9 characters, the 2nd may be A/B for Corsica. */
export const FINESS_PATTERN = /^\d[\dAB]\d{7}$/;

/** Organization identifier slices (ROROrganization). idNatSt = one-digit type prefix (TRE_G07) + national id. */
export const ORGANIZATION_IDENTIFIER = {
  idNatSt: {
    system: IDENTIFIER_SYSTEM.idNatSt,
    typeSystem: SYSTEM.typeIdentifiantStructure,
    typeCode: '40',
    pattern: /^(1\d[\dAB]\d{7}|2\d{9}|3\d{14}|4\d{10,16}|0\d{9,16})$/,
    label: 'idNatSt (type prefix 0–4 followed by the national identifier)',
  },
  finess: {
    system: IDENTIFIER_SYSTEM.finess,
    typeSystem: SYSTEM.typeIdentifiantStructure,
    typeCode: '1',
    pattern: FINESS_PATTERN,
    label: 'FINESS number (9 characters)',
  },
  siren: {
    system: IDENTIFIER_SYSTEM.siren,
    typeSystem: SYSTEM.typeIdentifiantStructure,
    typeCode: '2',
    pattern: /^\d{9}$/,
    label: 'SIREN (9 digits)',
  },
  siret: {
    system: IDENTIFIER_SYSTEM.siret,
    typeSystem: SYSTEM.typeIdentifiantStructure,
    typeCode: '3',
    pattern: /^\d{14}$/,
    label: 'SIRET (14 digits)',
  },
  rppsRang: {
    system: IDENTIFIER_SYSTEM.rppsRang,
    typeSystem: SYSTEM.typeIdentifiantStructure,
    typeCode: '4',
    pattern: /^\d{10,14}$/,
    label: 'RPPS rang',
  },
  adeliRang: {
    system: IDENTIFIER_SYSTEM.adeliRang,
    typeSystem: SYSTEM.typeIdentifiantStructure,
    typeCode: '0',
    pattern: /^\d{9,14}$/,
    label: 'ADELI rang',
  },
  identifierOI: {
    system: IDENTIFIER_SYSTEM.organisationInterne,
    typeSystem: SYSTEM.typeIdentifiantAutre,
    typeCode: '42',
    pattern: /^\S+$/,
    label: "identifiant de l'organisation interne",
  },
} as const satisfies Record<string, IdentifierSlice>;
export type OrganizationIdentifierSlice = keyof typeof ORGANIZATION_IDENTIFIER;

/** Type codes (TRE_R345 / TRE_G08) of the other ROR identifiers. */
export const IDENTIFIER_TYPE = {
  offre: { system: SYSTEM.typeIdentifiantAutre, code: '35' },
  lieu: { system: SYSTEM.typeIdentifiantAutre, code: '25' },
  zoneHebergement: { system: SYSTEM.typeIdentifiantAutre, code: '26' },
  situationOperationnelle: { system: SYSTEM.typeIdentifiantPersonne, code: '30' },
} as const;

/** Whether `id` belongs to `slice` (its type coding, or its system when untyped and unambiguous). */
export function isSlice(id: Identifier, slice: IdentifierSlice): boolean {
  const typed = id.type?.coding?.some((c) => c.system === slice.typeSystem && c.code === slice.typeCode);
  if (typed) return true;
  if (id.type?.coding?.length) return false;
  return id.system === slice.system && slice.pattern.test(id.value ?? '');
}

export function buildSliceIdentifier(slice: IdentifierSlice, value: string): Identifier {
  if (!slice.pattern.test(value)) throw new Error(`"${value}" is not a valid ${slice.label}`);
  return { type: nosConcept(VALUE_SET.J236, { system: slice.typeSystem, code: slice.typeCode }), system: slice.system, value };
}

export function buildTypedIdentifier(type: { system: string; code: string }, value: string, system?: string): Identifier {
  if (value.trim() === '') throw new Error('An identifier needs a value');
  const id: Identifier = { type: nosConcept(VALUE_SET.J236, type) };
  if (system !== undefined) id.system = system;
  id.value = value;
  return id;
}
