import type { Extension, HumanName, OrganizationContact } from '@medplum/fhirtypes';
import { codeOf, complexExtension, extension, extensions, nosConcept, sub } from './ext.ts';
import {
  buildContactTelecomExtension,
  buildTelecom,
  readContactTelecomExtension,
  readTelecom,
  type RorTelecom,
  type RorTelecomRead,
} from './telecom.ts';
import { EXT, SUB, VALUE_SET } from './urls.ts';

/** A ROR contact (classe Contact): who to reach, why, and how confidential it is. */
export interface RorContact {
  name?: HumanName;
  /** natureContact, JDV_J221 code */
  purpose?: string;
  /** fonctionContact, JDV_J220 code */
  function?: string;
  description?: string;
  /** niveauConfidentialite, JDV_J222 code */
  confidentiality: string;
  telecoms?: RorTelecom[];
}

export interface RorContactRead {
  name?: HumanName;
  purpose?: string;
  function?: string;
  description?: string;
  confidentiality?: string;
  telecoms: RorTelecomRead[];
}

/** An `Organization.contact` with the ROR contact extensions. */
export function buildOrganizationContact(c: RorContact): OrganizationContact {
  const exts: Extension[] = [];
  if (c.function !== undefined) exts.push({ url: EXT.contactFunctionContact, valueCodeableConcept: nosConcept(VALUE_SET.J220, c.function) });
  if (c.description !== undefined) exts.push({ url: EXT.contactDescription, valueString: c.description });
  exts.push({ url: EXT.contactConfidentialityLevel, valueCodeableConcept: nosConcept(VALUE_SET.J222, c.confidentiality) });
  const contact: OrganizationContact = { extension: exts };
  if (c.purpose !== undefined) contact.purpose = nosConcept(VALUE_SET.J221, c.purpose);
  if (c.name !== undefined) contact.name = c.name;
  if (c.telecoms && c.telecoms.length > 0) contact.telecom = c.telecoms.map(buildTelecom);
  return contact;
}

export function readOrganizationContact(contact: OrganizationContact): RorContactRead {
  const read: RorContactRead = { telecoms: (contact.telecom ?? []).map(readTelecom) };
  if (contact.name !== undefined) read.name = contact.name;
  const purpose = codeOf(contact.purpose);
  if (purpose !== undefined) read.purpose = purpose;
  const fn = codeOf(extension(contact, EXT.contactFunctionContact)?.valueCodeableConcept);
  if (fn !== undefined) read.function = fn;
  const description = extension(contact, EXT.contactDescription)?.valueString;
  if (description !== undefined) read.description = description;
  const confidentiality = codeOf(extension(contact, EXT.contactConfidentialityLevel)?.valueCodeableConcept);
  if (confidentiality !== undefined) read.confidentiality = confidentiality;
  return read;
}

/** The `ror-healthcareservice-contact` extension of a HealthcareService. */
export function buildHealthcareServiceContact(c: RorContact): Extension {
  return complexExtension(EXT.healthcareServiceContact, [
    c.name === undefined ? undefined : { url: SUB.healthcareServiceContact.name, valueHumanName: c.name },
    c.function === undefined ? undefined : { url: EXT.contactFunctionContact, valueCodeableConcept: nosConcept(VALUE_SET.J220, c.function) },
    c.purpose === undefined
      ? undefined
      : { url: SUB.healthcareServiceContact.purpose, valueCodeableConcept: nosConcept(VALUE_SET.J221, c.purpose) },
    c.description === undefined ? undefined : { url: SUB.healthcareServiceContact.description, valueString: c.description },
    { url: EXT.confidentialityLevel, valueCodeableConcept: nosConcept(VALUE_SET.J222, c.confidentiality) },
    ...(c.telecoms ?? []).map(buildContactTelecomExtension),
  ]);
}

export function readHealthcareServiceContact(ext: Extension): RorContactRead {
  const read: RorContactRead = { telecoms: extensions(ext, EXT.healthcareServiceContactTelecom).map(readContactTelecomExtension) };
  const name = sub(ext, SUB.healthcareServiceContact.name)?.valueHumanName;
  if (name !== undefined) read.name = name;
  const purpose = codeOf(sub(ext, SUB.healthcareServiceContact.purpose)?.valueCodeableConcept);
  if (purpose !== undefined) read.purpose = purpose;
  const fn = codeOf(extension(ext, EXT.contactFunctionContact)?.valueCodeableConcept);
  if (fn !== undefined) read.function = fn;
  const description = sub(ext, SUB.healthcareServiceContact.description)?.valueString;
  if (description !== undefined) read.description = description;
  const confidentiality = codeOf(extension(ext, EXT.confidentialityLevel)?.valueCodeableConcept);
  if (confidentiality !== undefined) read.confidentiality = confidentiality;
  return read;
}
