/**
 * Known defects of the NOS files copied in `valuesets/` (see its README) and how the loader corrects them.
 * Each correction is applied at load time; the files themselves stay byte-identical to their sources.
 */

/**
 * J226 (ModaliteAccueil) and J228 (TypeCaracteristiqueEquipement) publish `compose.include.system: ""`.
 * Their concepts carry the OID of the code system in a designation; these are the TRE the OIDs name.
 */
export const SYSTEM_BY_OID: ReadonlyMap<string, string> = new Map([
  ['urn:oid:1.2.250.1.213.3.3.221', 'https://mos.esante.gouv.fr/NOS/TRE_R338-ModaliteAccueil/FHIR/TRE-R338-ModaliteAccueil'],
  [
    'urn:oid:1.2.250.1.213.3.3.223',
    'https://mos.esante.gouv.fr/NOS/TRE_R340-TypeCaracteristiqueEquipement/FHIR/TRE-R340-TypeCaracteristiqueEquipement',
  ],
]);

/**
 * Descriptions copied from another value set by the publisher. J227 is described as "Type de maternité"
 * although it is the niveau d'expertise list; J229 as "Type de caractéristique équipement" although it is
 * the list of health professions. J227's replacement is the description the NOS publishes today; J229's is
 * its title.
 *
 * J227 also draws its codes from TRE_R253-TypeMaternite, which looks wrong for a "niveau d'expertise" list
 * but is right: the current J227 still holds TRE_R253 codes 01–04 (plus TRE_R344 codes added since 2023,
 * absent from this copy). The declared system is therefore kept.
 */
export const DESCRIPTION_FIXES: ReadonlyMap<string, { wrong: string; right: string }> = new Map([
  [
    'JDV-J227-NiveauExpertise-ROR',
    { wrong: 'Type de maternité', right: "Niveau de ressources humaines et matérielles utiles pour la réalisation de l'offre" },
  ],
  ['JDV-J229-ProfessionSante-ROR', { wrong: 'Type de caractéristique équipement', right: 'Profession de santé' }],
]);

/**
 * Canonical URL of a NOS resource, rebuilt from its id. A few files declare a wrong `url`
 * (J186: `JDV_J18-ProfessionRessource-ROR.tabs`, J202: `JDV_J20-ESPIC-ROR`, J237: `….tabs`) while the ROR IG
 * binds the regular form `https://mos.esante.gouv.fr/NOS/JDV_Jnn-Name/FHIR/JDV-Jnn-Name`.
 */
export function canonicalNosUrl(id: string): string {
  const folder = id.replace('-', '_');
  return `https://mos.esante.gouv.fr/NOS/${folder}/FHIR/${id}`;
}
