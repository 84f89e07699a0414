import type { ContactPoint, Extension } from '@medplum/fhirtypes';
import { codeOf, complexExtension, extension, nosConcept, sub } from './ext.ts';
import { EXT, SUB, VALUE_SET } from './urls.ts';

/** JDV_J222 niveaux de confidentialité. */
export const CONFIDENTIALITY = { public: '1', restricted: '2', veryRestricted: '3' } as const;

/** JDV_J225 canal de communication → the matching `ContactPoint.system`. */
const SYSTEM_BY_CHANNEL: Readonly<Record<string, ContactPoint['system']>> = {
  '1': 'phone',
  '2': 'phone',
  '3': 'email',
  '4': 'url',
  '5': 'other',
  '6': 'fax',
  '7': 'other',
  '8': 'phone',
  '9': 'email',
};

/** A ROR télécommunication: address + canal (J225) + niveau de confidentialité (J222) + utilisation. */
export interface RorTelecom {
  value: string;
  /** JDV_J225 code (1 mobile, 2 fixe, 3 courriel, 4 web, 5 transfert de fichiers, 6 fax, 7 ANTARES, 8/9 alerte) */
  channel: string;
  /** JDV_J222 code (1 accès libre, 2 restreint, 3 très restreint) */
  confidentiality: string;
  /** free-text utilisation */
  usage?: string;
  /** defaults from the channel */
  system?: ContactPoint['system'];
  use?: ContactPoint['use'];
}

/** Reads a ROR telecom; fields absent from the data are absent from the result. */
export interface RorTelecomRead {
  value?: string;
  channel?: string;
  confidentiality?: string;
  usage?: string;
  system?: ContactPoint['system'];
  use?: ContactPoint['use'];
}

function telecomExtensions(t: RorTelecom): Extension[] {
  const exts: Extension[] = [
    { url: EXT.telecomCommunicationChannel, valueCodeableConcept: nosConcept(VALUE_SET.J225, t.channel) },
    { url: EXT.telecomConfidentialityLevel, valueCodeableConcept: nosConcept(VALUE_SET.J222, t.confidentiality) },
  ];
  if (t.usage !== undefined) exts.push({ url: EXT.telecomUsage, valueString: t.usage });
  return exts;
}

/** Builds a ContactPoint carrying the three ROR telecom extensions. */
export function buildTelecom(t: RorTelecom): ContactPoint {
  if (t.value.trim() === '') throw new Error('A telecom needs a value');
  const system = t.system ?? SYSTEM_BY_CHANNEL[t.channel];
  const cp: ContactPoint = { extension: telecomExtensions(t) };
  if (system !== undefined) cp.system = system;
  cp.value = t.value;
  if (t.use !== undefined) cp.use = t.use;
  return cp;
}

export function readTelecom(cp: ContactPoint): RorTelecomRead {
  const read: RorTelecomRead = {};
  if (cp.value !== undefined) read.value = cp.value;
  const channel = codeOf(extension(cp, EXT.telecomCommunicationChannel)?.valueCodeableConcept);
  if (channel !== undefined) read.channel = channel;
  const confidentiality = codeOf(extension(cp, EXT.telecomConfidentialityLevel)?.valueCodeableConcept);
  if (confidentiality !== undefined) read.confidentiality = confidentiality;
  const usage = extension(cp, EXT.telecomUsage)?.valueString;
  if (usage !== undefined) read.usage = usage;
  if (cp.system !== undefined) read.system = cp.system;
  if (cp.use !== undefined) read.use = cp.use;
  return read;
}

/** The `ror-healthcareservice-contact-telecom` form of a telecom (used inside HealthcareService contacts). */
export function buildContactTelecomExtension(t: RorTelecom): Extension {
  if (t.value.trim() === '') throw new Error('A telecom needs a value');
  return complexExtension(EXT.healthcareServiceContactTelecom, [
    ...telecomExtensions(t),
    { url: SUB.contactTelecom.address, valueString: t.value },
  ]);
}

export function readContactTelecomExtension(ext: Extension): RorTelecomRead {
  const read: RorTelecomRead = {};
  const value = sub(ext, SUB.contactTelecom.address)?.valueString;
  if (value !== undefined) read.value = value;
  const channel = codeOf(extension(ext, EXT.telecomCommunicationChannel)?.valueCodeableConcept);
  if (channel !== undefined) read.channel = channel;
  const confidentiality = codeOf(extension(ext, EXT.telecomConfidentialityLevel)?.valueCodeableConcept);
  if (confidentiality !== undefined) read.confidentiality = confidentiality;
  const usage = extension(ext, EXT.telecomUsage)?.valueString;
  if (usage !== undefined) read.usage = usage;
  return read;
}
