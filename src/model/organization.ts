import type { Coding, Identifier, Organization, Period } from '@medplum/fhirtypes';
import { type GeoPoint, buildAddress, readAddress, readGeolocation, type RorAddress } from './address.ts';
import { buildOrganizationContact, readOrganizationContact, type RorContact, type RorContactRead } from './contact.ts';
import {
  type CodeInput,
  codingOf,
  extension,
  extensions,
  isoDate,
  isoDateTime,
  nosConcept,
  type PrimitiveElement,
  replaceExtension,
  replaceExtensions,
} from './ext.ts';
import { buildSliceIdentifier, isSlice, ORGANIZATION_IDENTIFIER, type OrganizationIdentifierSlice } from './identifier.ts';
import { applyMeta, type MetaInput } from './meta.ts';
import { buildTelecom, readTelecom, type RorTelecom, type RorTelecomRead } from './telecom.ts';
import { buildTerritorialDivision, readTerritorialDivision, type TerritorialDivision } from './territory.ts';
import { EXT, EXTERNAL_EXT, SYSTEM, VALUE_SET } from './urls.ts';

type OrganizationJson = Organization & { _name?: PrimitiveElement };

/** EJ entité juridique, EG entité géographique (établissement), OI organisation interne. */
export type OrganizationKind = 'EJ' | 'EG' | 'OI';

/** Organization.type slices of ROROrganization: value set and the code systems that identify the slice. */
export const ORGANIZATION_TYPE_SLICES = {
  statutJuridiqueINSEE: { valueSet: VALUE_SET.J199, systems: [SYSTEM.statutJuridique] },
  sousEnsembleAgregatStatutJuridique: { valueSet: VALUE_SET.J200, systems: [SYSTEM.agregatStatutJuridique] },
  categorieEtablissement: {
    valueSet: VALUE_SET.J55,
    systems: [SYSTEM.categorieEtablissement, SYSTEM.autreCategorieEtablissement, SYSTEM.secteurActivite],
  },
  sphParticipation: { valueSet: VALUE_SET.J202, systems: [SYSTEM.espic] },
  OIType: { valueSet: VALUE_SET.J203, systems: [SYSTEM.typeOrganisationInterne] },
} as const;
export type OrganizationTypeSlice = keyof typeof ORGANIZATION_TYPE_SLICES;

/** JDV_J203 types d'organisation interne. */
export const OI_TYPE = { pole: '1', service: '2', uniteFonctionnelle: '3', uniteElementaire: '4' } as const;

export interface OrganizationInput extends MetaInput {
  kind: OrganizationKind;
  /** raisonSociale (EJ), denominationEG (EG), nomOI (OI) */
  name?: string;
  /** complementRaisonSociale / complementDenominationEG */
  additionalName?: string;
  /** nomOperationnel (EG) */
  alias?: string;
  finess?: string;
  /** defaults to "1" + finess for EJ/EG with a FINESS number */
  idNatSt?: string;
  siren?: string;
  siret?: string;
  /** identifiantOI (OI) */
  oiIdentifier?: string;
  /** statutJuridique (EJ), JDV_J199 */
  statutJuridique?: string;
  /** sousEnsembleAgregatStatutJuridique (EJ), JDV_J200 */
  agregatStatutJuridique?: string;
  /** categorieEG (EG), JDV_J55 — a bare code is a TRE_R66 FINESS category */
  category?: CodeInput;
  /** modaliteParticipationSPH (EG), JDV_J202 */
  sphParticipation?: string;
  /** typeOI (OI), JDV_J203 */
  oiType?: string;
  /** reference to the parent, e.g. "Organization/123" */
  partOf?: string;
  /** dateOuverture / dateFermeture */
  period?: Period;
  /** typeFermeture, JDV_J201 */
  closingType?: string;
  /** datePrevisionnelleReouverture (OI) */
  reopeningDate?: string;
  address?: RorAddress;
  /** géolocalisation of the address (EG) */
  geolocation?: GeoPoint;
  contacts?: RorContact[];
  /** boîtes aux lettres MSS (OI) */
  telecoms?: RorTelecom[];
  /** territoireSante (EG) */
  territorialDivisions?: TerritorialDivision[];
}

/** Builds a ROROrganization (EJ, EG or OI). Throws on a code outside its NOS value set or a malformed identifier. */
export function buildOrganization(input: OrganizationInput): Organization {
  const org: Organization = { resourceType: 'Organization' };
  applyMeta(org, input);
  const finess = input.finess;
  const idNatSt = input.idNatSt ?? (finess !== undefined && input.kind !== 'OI' ? `1${finess}` : undefined);
  if (idNatSt !== undefined) setOrganizationIdentifier(org, 'idNatSt', idNatSt);
  if (finess !== undefined) setOrganizationIdentifier(org, 'finess', finess);
  if (input.siren !== undefined) setOrganizationIdentifier(org, 'siren', input.siren);
  if (input.siret !== undefined) setOrganizationIdentifier(org, 'siret', input.siret);
  if (input.oiIdentifier !== undefined) setOrganizationIdentifier(org, 'identifierOI', input.oiIdentifier);
  if (input.kind === 'OI' && input.oiType === undefined) throw new Error('An organisation interne needs its type (JDV_J203)');
  if (input.name !== undefined) setOrganizationName(org, input.name, input.additionalName);
  if (input.alias !== undefined) org.alias = [input.alias];
  if (input.statutJuridique !== undefined) setOrganizationType(org, 'statutJuridiqueINSEE', input.statutJuridique);
  if (input.agregatStatutJuridique !== undefined) setOrganizationType(org, 'sousEnsembleAgregatStatutJuridique', input.agregatStatutJuridique);
  if (input.category !== undefined) setOrganizationType(org, 'categorieEtablissement', input.category);
  if (input.sphParticipation !== undefined) setOrganizationType(org, 'sphParticipation', input.sphParticipation);
  if (input.oiType !== undefined) setOrganizationType(org, 'OIType', input.oiType);
  if (input.partOf !== undefined) org.partOf = { reference: input.partOf };
  if (input.period !== undefined) setOrganizationPeriod(org, input.period);
  if (input.closingType !== undefined) setOrganizationClosingType(org, input.closingType);
  if (input.reopeningDate !== undefined) setOrganizationReopeningDate(org, input.reopeningDate);
  if (input.address !== undefined) setOrganizationAddress(org, input.address, input.geolocation);
  if (input.contacts !== undefined) setOrganizationContacts(org, input.contacts);
  if (input.telecoms !== undefined) setOrganizationTelecoms(org, input.telecoms);
  if (input.territorialDivisions !== undefined) setOrganizationTerritorialDivisions(org, input.territorialDivisions);
  return org;
}

function isTypeSlice(cc: { coding?: Coding[] }, slice: OrganizationTypeSlice): boolean {
  return codingOf(cc, ORGANIZATION_TYPE_SLICES[slice].systems) !== undefined;
}

/** EJ / EG / OI, from the identifiers and type slices present; `undefined` when nothing tells. */
export function getOrganizationKind(org: Organization): OrganizationKind | undefined {
  const types = org.type ?? [];
  const ids = org.identifier ?? [];
  if (types.some((t) => isTypeSlice(t, 'OIType')) || ids.some((i) => isSlice(i, ORGANIZATION_IDENTIFIER.identifierOI))) return 'OI';
  if (
    types.some((t) => isTypeSlice(t, 'categorieEtablissement') || isTypeSlice(t, 'sphParticipation')) ||
    ids.some((i) => isSlice(i, ORGANIZATION_IDENTIFIER.siret))
  ) {
    return 'EG';
  }
  if (
    types.some((t) => isTypeSlice(t, 'statutJuridiqueINSEE') || isTypeSlice(t, 'sousEnsembleAgregatStatutJuridique')) ||
    ids.some((i) => isSlice(i, ORGANIZATION_IDENTIFIER.siren))
  ) {
    return 'EJ';
  }
  if (ids.some((i) => isSlice(i, ORGANIZATION_IDENTIFIER.finess) || isSlice(i, ORGANIZATION_IDENTIFIER.idNatSt))) {
    return org.partOf ? 'EG' : 'EJ';
  }
  return undefined;
}

export function getOrganizationIdentifier(org: Organization, slice: OrganizationIdentifierSlice): string | undefined {
  return org.identifier?.find((i) => isSlice(i, ORGANIZATION_IDENTIFIER[slice]))?.value;
}

/** Sets (or with `undefined` removes) one identifier slice, keeping the others. */
export function setOrganizationIdentifier(org: Organization, slice: OrganizationIdentifierSlice, value: string | undefined): void {
  const def = ORGANIZATION_IDENTIFIER[slice];
  const kept: Identifier[] = (org.identifier ?? []).filter((i) => !isSlice(i, def));
  const next = value === undefined ? kept : [...kept, buildSliceIdentifier(def, value)];
  if (next.length > 0) org.identifier = next;
  else delete org.identifier;
}

export function getFiness(org: Organization): string | undefined {
  return getOrganizationIdentifier(org, 'finess');
}

export function getIdNatSt(org: Organization): string | undefined {
  return getOrganizationIdentifier(org, 'idNatSt');
}

export function getOrganizationName(org: Organization): { name?: string; additionalName?: string } {
  const read: { name?: string; additionalName?: string } = {};
  if (org.name !== undefined) read.name = org.name;
  const additional = extension((org as OrganizationJson)._name, EXT.organizationAdditionalName)?.valueString;
  if (additional !== undefined) read.additionalName = additional;
  return read;
}

export function setOrganizationName(org: Organization, name: string, additionalName?: string): void {
  if (name.trim() === '') throw new Error('An organization name cannot be empty');
  const json: OrganizationJson = org;
  json.name = name;
  if (additionalName === undefined) delete json._name;
  else json._name = { extension: [{ url: EXT.organizationAdditionalName, valueString: additionalName }] };
}

/** The coding of a type slice (statut juridique, catégorie EG, type OI…). */
export function getOrganizationType(org: Organization, slice: OrganizationTypeSlice): Coding | undefined {
  for (const t of org.type ?? []) {
    const coding = codingOf(t, ORGANIZATION_TYPE_SLICES[slice].systems);
    if (coding) return coding;
  }
  return undefined;
}

export function setOrganizationType(org: Organization, slice: OrganizationTypeSlice, code: CodeInput | undefined): void {
  const def = ORGANIZATION_TYPE_SLICES[slice];
  const kept = (org.type ?? []).filter((t) => !isTypeSlice(t, slice));
  const next = code === undefined ? kept : [...kept, nosConcept(def.valueSet, code, def.systems[0])];
  if (next.length > 0) org.type = next;
  else delete org.type;
}

export function getPartOf(org: Organization): string | undefined {
  return org.partOf?.reference;
}

export function setPartOf(org: Organization, reference: string | undefined): void {
  if (reference === undefined) delete org.partOf;
  else org.partOf = { reference };
}

/** dateOuverture (start) / dateFermeture (end). */
export function getOrganizationPeriod(org: Organization): Period | undefined {
  return extension(org, EXTERNAL_EXT.organizationPeriod)?.valuePeriod;
}

export function setOrganizationPeriod(org: Organization, period: Period | undefined): void {
  if (period?.start !== undefined) isoDateTime(period.start, 'Opening date');
  if (period?.end !== undefined) isoDateTime(period.end, 'Closing date');
  replaceExtension(org, EXTERNAL_EXT.organizationPeriod, period && { url: EXTERNAL_EXT.organizationPeriod, valuePeriod: period });
}

/** typeFermeture (JDV_J201). */
export function getOrganizationClosingType(org: Organization): Coding | undefined {
  return codingOf(extension(org, EXT.organizationClosingType)?.valueCodeableConcept);
}

export function setOrganizationClosingType(org: Organization, code: string | undefined): void {
  replaceExtension(
    org,
    EXT.organizationClosingType,
    code === undefined ? undefined : { url: EXT.organizationClosingType, valueCodeableConcept: nosConcept(VALUE_SET.J201, code) },
  );
}

/** datePrevisionnelleReouverture (OI). */
export function getOrganizationReopeningDate(org: Organization): string | undefined {
  return extension(org, EXT.organizationReopeningDate)?.valueDate;
}

export function setOrganizationReopeningDate(org: Organization, date: string | undefined): void {
  replaceExtension(
    org,
    EXT.organizationReopeningDate,
    date === undefined ? undefined : { url: EXT.organizationReopeningDate, valueDate: isoDate(date, 'Reopening date') },
  );
}

export function getOrganizationAddress(org: Organization): (RorAddress & { geolocation?: GeoPoint }) | undefined {
  const address = org.address?.[0];
  if (!address) return undefined;
  const geolocation = readGeolocation(address);
  return geolocation ? { ...readAddress(address), geolocation } : readAddress(address);
}

export function setOrganizationAddress(org: Organization, address: RorAddress | undefined, geolocation?: GeoPoint): void {
  if (address === undefined) delete org.address;
  else org.address = [buildAddress(address, geolocation)];
}

export function getOrganizationContacts(org: Organization): RorContactRead[] {
  return (org.contact ?? []).map(readOrganizationContact);
}

export function setOrganizationContacts(org: Organization, contacts: RorContact[]): void {
  if (contacts.length === 0) delete org.contact;
  else org.contact = contacts.map(buildOrganizationContact);
}

export function getOrganizationTelecoms(org: Organization): RorTelecomRead[] {
  return (org.telecom ?? []).map(readTelecom);
}

export function setOrganizationTelecoms(org: Organization, telecoms: RorTelecom[]): void {
  if (telecoms.length === 0) delete org.telecom;
  else org.telecom = telecoms.map(buildTelecom);
}

export function getOrganizationTerritorialDivisions(org: Organization): Partial<TerritorialDivision>[] {
  return extensions(org, EXT.territorialDivision).map(readTerritorialDivision);
}

export function setOrganizationTerritorialDivisions(org: Organization, divisions: TerritorialDivision[]): void {
  replaceExtensions(org, EXT.territorialDivision, divisions.map(buildTerritorialDivision));
}
