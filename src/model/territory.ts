import type { Coding, Extension } from '@medplum/fhirtypes';
import { display } from '../nos/index.ts';
import { checkCommuneCode } from './address.ts';
import { codeOf, codingOf, complexExtension, nosConcept, sub } from './ext.ts';
import { EXT, SUB, SYSTEM, VALUE_SET } from './urls.ts';

/** JDV_J223 types de division territoriale. */
export const TERRITORY_TYPE = {
  region: '1',
  departement: '2',
  commune: '3',
  territoireSante: '4',
  pays: '5',
  zoneDefense: '6',
} as const;

/** Code system of the division code, by division type (the others must be given explicitly). */
const CODE_SYSTEM_BY_TYPE: Readonly<Record<string, string>> = {
  [TERRITORY_TYPE.region]: SYSTEM.regionOM,
  [TERRITORY_TYPE.departement]: SYSTEM.departementOM,
  [TERRITORY_TYPE.commune]: SYSTEM.communeOM,
};

/** A division territoriale: zone d'intervention of an offer, territoire de santé of an EG. */
export interface TerritorialDivision {
  /** JDV_J223 code */
  type: string;
  code: string;
  /** system of `code`; defaults to TRE_R30 (région), TRE_G09 (département) or TRE_R13-CommuneOM (commune) */
  system?: string;
}

export function buildTerritorialDivision(t: TerritorialDivision): Extension {
  const system = t.system ?? CODE_SYSTEM_BY_TYPE[t.type];
  if (system === undefined) throw new Error(`Division territoriale of type ${t.type} needs the system of its code`);
  if (system === SYSTEM.communeOM || system === SYSTEM.commune) checkCommuneCode(t.code, 'Commune of a division territoriale');
  const coding: Coding = { system, code: t.code };
  const label = display(system, t.code);
  if (label !== undefined) coding.display = label;
  return complexExtension(EXT.territorialDivision, [
    { url: SUB.territorialDivision.type, valueCodeableConcept: nosConcept(VALUE_SET.J223, t.type) },
    { url: SUB.territorialDivision.code, valueCodeableConcept: { coding: [coding] } },
  ]);
}

export function readTerritorialDivision(ext: Extension): Partial<TerritorialDivision> {
  const read: Partial<TerritorialDivision> = {};
  const type = codeOf(sub(ext, SUB.territorialDivision.type)?.valueCodeableConcept);
  if (type !== undefined) read.type = type;
  const coding = codingOf(sub(ext, SUB.territorialDivision.code)?.valueCodeableConcept);
  if (coding?.code !== undefined) read.code = coding.code;
  if (coding?.system !== undefined) read.system = coding.system;
  return read;
}
