import type { ContactPoint, Extension, HumanName, OrganizationContact } from '@medplum/fhirtypes';
import { codeOf, complexExtension, extension, extensions, type HasExtensions, nosConcept, sub } from './ext.ts';
import {
  buildContactTelecomExtension,
  CONFIDENTIALITY,
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

/** Whether a JDV_J222 niveau de confidentialité may be served. */
export type LevelFilter = (level: string) => boolean;

/** The JDV_J222 level carried by extension `url` of `el`; none recorded counts as très restreint. */
function levelOf(el: HasExtensions, url: string): string {
  return codeOf(extension(el, url)?.valueCodeableConcept) ?? CONFIDENTIALITY.veryRestricted;
}

/**
 * The ContactPoints whose `ror-telecom-confidentiality-level` passes `keep`. Returns `telecoms` itself when all
 * pass, so that callers copy only what changes.
 */
export function filterTelecoms(telecoms: ContactPoint[], keep: LevelFilter): ContactPoint[] {
  const kept = telecoms.filter((t) => keep(levelOf(t, EXT.telecomConfidentialityLevel)));
  return kept.length === telecoms.length ? telecoms : kept;
}

/**
 * `Organization.contact` entries whose level passes `keepContact`, each with its telecoms filtered by
 * `keepTelecom`; a contact whose telecoms are all filtered out is dropped. Returns `contacts` itself when
 * nothing is removed; kept entries are shared, changed ones are shallow copies.
 */
export function filterOrganizationContacts(contacts: OrganizationContact[], keepContact: LevelFilter, keepTelecom: LevelFilter): OrganizationContact[] {
  let changed = false;
  const out: OrganizationContact[] = [];
  for (const contact of contacts) {
    if (!keepContact(levelOf(contact, EXT.contactConfidentialityLevel))) {
      changed = true;
      continue;
    }
    const telecom = contact.telecom === undefined ? undefined : filterTelecoms(contact.telecom, keepTelecom);
    if (telecom === contact.telecom) {
      out.push(contact);
      continue;
    }
    changed = true;
    if (telecom !== undefined && telecom.length > 0) out.push({ ...contact, telecom });
  }
  return changed ? out : contacts;
}

/**
 * A HealthcareService's extensions with its `ror-healthcareservice-contact` entries filtered like
 * {@link filterOrganizationContacts} (the contact by its `ror-confidentiality-level`, each
 * `ror-healthcareservice-contact-telecom` by its own level); the other extensions are kept in place.
 * Returns `extensions` itself when nothing is removed.
 */
export function filterServiceContactExtensions(exts: Extension[], keepContact: LevelFilter, keepTelecom: LevelFilter): Extension[] {
  let changed = false;
  const out: Extension[] = [];
  for (const ext of exts) {
    if (ext.url !== EXT.healthcareServiceContact) {
      out.push(ext);
      continue;
    }
    if (!keepContact(levelOf(ext, EXT.confidentialityLevel))) {
      changed = true;
      continue;
    }
    const parts = ext.extension ?? [];
    let keptTelecoms = 0;
    const kept = parts.filter((part) => {
      if (part.url !== EXT.healthcareServiceContactTelecom) return true;
      const keep = keepTelecom(levelOf(part, EXT.telecomConfidentialityLevel));
      if (keep) keptTelecoms++;
      return keep;
    });
    if (kept.length === parts.length) {
      out.push(ext);
      continue;
    }
    changed = true;
    if (keptTelecoms > 0) out.push({ ...ext, extension: kept });
  }
  return changed ? out : exts;
}
