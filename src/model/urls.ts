/**
 * Canonical URLs of the ROR FHIR IG (ans.fhir.fr.ror, https://interop.esante.gouv.fr/ig/fhir/ror), the NOS
 * code systems / value sets it binds, and the identifier systems it uses.
 */

export const ROR_IG = 'https://interop.esante.gouv.fr/ig/fhir/ror';
const SD = `${ROR_IG}/StructureDefinition`;
const NOS = 'https://mos.esante.gouv.fr/NOS';

function tre(folder: string): string {
  return `${NOS}/${folder}/FHIR/${folder.replace('_', '-')}`;
}
function jdv(folder: string): string {
  return `${NOS}/${folder}/FHIR/${folder.replace('_', '-')}`;
}

/** ROR profiles. */
export const PROFILE = {
  organization: `${SD}/ror-organization`,
  healthcareService: `${SD}/ror-healthcareservice`,
  location: `${SD}/ror-location`,
  practitioner: `${SD}/ror-practitioner`,
  practitionerRole: `${SD}/ror-practitionerrole`,
  task: `${SD}/ror-task`,
} as const;

/** ROR extensions (top-level and those used as sub-extensions by URL). */
export const EXT = {
  metaCreationDate: `${SD}/ror-meta-creation-date`,
  metaComment: `${SD}/ror-meta-comment`,
  comment: `${SD}/ror-comment`,

  telecomCommunicationChannel: `${SD}/ror-telecom-communication-channel`,
  telecomUsage: `${SD}/ror-telecom-usage`,
  telecomConfidentialityLevel: `${SD}/ror-telecom-confidentiality-level`,

  territorialDivision: `${SD}/ror-territorial-division`,

  organizationAdditionalName: `${SD}/ror-organization-additional-name`,
  organizationPrice: `${SD}/ror-organization-price`,
  organizationFinancialHelpType: `${SD}/ror-organization-financial-help-type`,
  organizationAccomodationFamily: `${SD}/ror-organization-accomodation-family`,
  organizationNbPermanentSocialHelpPlace: `${SD}/ror-organization-nb-permanent-social-help-place`,
  organizationNbTemporarySocialHelpPlace: `${SD}/ror-organization-nb-temporary-social-help-place`,
  organizationAccessibilityLocation: `${SD}/ror-organization-accessibility-location`,
  organizationLevelRecourseOrsan: `${SD}/ror-organization-level-recourse-orsan`,
  organizationDropZone: `${SD}/ror-organization-drop-zone`,
  organizationReopeningDate: `${SD}/ror-organization-reopening-date`,
  organizationCreationDate: `${SD}/ror-organization-creation-date`,
  organizationClosingType: `${SD}/ror-organization-closing-type`,
  organizationComment: `${SD}/ror-organization-comment`,
  contactFunctionContact: `${SD}/ror-contact-function-contact`,
  contactDescription: `${SD}/ror-contact-description`,
  contactConfidentialityLevel: `${SD}/ror-contact-confidentiality-level`,
  confidenceGeolocation: `${SD}/ror-confidence-geolocation`,

  healthcareServiceSensitiveUnit: `${SD}/ror-healthcareservice-sensitive-unit`,
  healthcareServiceNoConsentHabilitation: `${SD}/ror-healthcareservice-no-consent-habilitation`,
  healthcareServicePsychiatricSector: `${SD}/ror-healthcareservice-psychiatric-sector`,
  healthcareServicePatientType: `${SD}/ror-healthcareservice-patient-type`,
  healthcareServiceContact: `${SD}/ror-healthcareservice-contact`,
  healthcareServiceContactTelecom: `${SD}/ror-healthcareservice-contact-telecom`,
  confidentialityLevel: `${SD}/ror-confidentiality-level`,
  actType: `${SD}/ror-act-type`,
  availableTimeTypeOfTime: `${SD}/ror-available-time-type-of-time`,
  availableTimeEffectiveOpeningClosingDate: `${SD}/ror-available-time-effective-opening-closing-date`,
  availableTimeNumberDaysOfWeek: `${SD}/ror-available-time-number-days-of-week`,

  communeCog: `${SD}/ror-commune-cog`,
  coordinateReliability: `${SD}/ror-coordinate-reliability`,
  locationEquipment: `${SD}/ror-location-equipment`,
  locationEquipmentLimit: `${SD}/ror-location-equipment-limit`,
  locationResidentialCapacity: `${SD}/ror-location-residential-capacity`,
  locationSupportedCapacity: `${SD}/ror-location-supported-capacity`,

  practitionerRoleUnitExerciseMode: `${SD}/ror-practitionerrole-unit-exercise-mode`,
  practitionerRoleName: `${SD}/ror-practitionerrole-name`,
} as const;

/** Sub-extension names (relative `url`) of the complex ROR extensions. */
export const SUB = {
  patientType: { supportedPatientInfo: 'supportedPatientInfo', ageRange: 'ageRange' },
  territorialDivision: { type: 'typeTerritorialDivision', code: 'codeTerritorialDivision' },
  healthcareServiceContact: { name: 'name', purpose: 'purposeContact', description: 'description' },
  contactTelecom: { address: 'telecomAddress' },
  equipment: { type: 'equipmentType', nbInService: 'nbInService' },
  equipmentLimit: { feature: 'equipmentFeature', value: 'limitValue' },
  residentialCapacity: { type: 'residentialType', number: 'residentialNumber' },
  supportedCapacity: {
    capacityType: 'capacityType',
    capacityStatus: 'capacityStatus',
    temporality: 'temporalityCapacity',
    nbCapacity: 'nbCapacity',
    sourceType: 'capacitySourceType',
    gender: 'genderCapacityAvailable',
    updateDate: 'capacityUpdateDate',
    closingType: 'capacityClosingType',
    additionalBedType: 'additionalBedType',
    crisisType: 'crisisType',
    temporaryAssignment: 'temporaryAssignement',
    comment: 'comment',
  },
  practitionerRoleName: { title: 'exerciseTitle', lastName: 'exerciseLastName', firstName: 'exerciseFirstName' },
} as const;

/** Extensions defined outside the ROR IG and used by its profiles. */
export const EXTERNAL_EXT = {
  organizationPeriod: 'http://hl7.org/fhir/StructureDefinition/organization-period',
  geolocation: 'http://hl7.org/fhir/StructureDefinition/geolocation',
  addressInseeCode: 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code',
  adxpCareOf: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-careOf',
  adxpAdditionalLocator: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-additionalLocator',
  adxpHouseNumber: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber',
  adxpBuildingNumberSuffix: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-buildingNumberSuffix',
  adxpStreetNameType: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-streetNameType',
  adxpStreetNameBase: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-streetNameBase',
  adxpPostBox: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-postBox',
  lieuDit: 'https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-lieu-dit',
  practitionerRoleContracted: 'https://apifhir.annuaire.sante.fr/ws-sync/exposed/structuredefinition/practitionerRole-contracted',
  practitionerRoleHasCas: 'https://apifhir.annuaire.sante.fr/ws-sync/exposed/structuredefinition/practitionerRole-hasCAS',
  practitionerRoleVitaleAccepted: 'https://apifhir.annuaire.sante.fr/ws-sync/exposed/structuredefinition/practitionerRole-vitaleAccepted',
} as const;

/** Identifier systems. */
export const IDENTIFIER_SYSTEM = {
  /** Identifiant national de structure (idNatSt = 1-digit type prefix + national id). */
  idNatSt: 'urn:oid:1.2.250.1.71.4.2.2',
  /** Identifiant national de professionnel (idNatPS). */
  idNatPs: 'urn:oid:1.2.250.1.71.4.2.1',
  finess: 'http://finess.esante.gouv.fr',
  siren: 'http://sirene.fr',
  siret: 'http://sirene.fr',
  rppsRang: 'http://rppsrang.esante.gouv.fr',
  adeliRang: 'http://adelirang.esante.gouv.fr',
  organisationInterne: 'https://oi.esante.gouv.fr',
} as const;

/** ROR-local code systems of the IG. */
export const ROR_CODE_SYSTEM = {
  actType: `${ROR_IG}/CodeSystem/act-type-ror-codesystem`,
  inputTask: `${ROR_IG}/CodeSystem/input-task-ror-codesystem`,
  outputTask: `${ROR_IG}/CodeSystem/output-task-ror-codesystem`,
} as const;

/**
 * Origin of a resource's data, as a `meta.tag`. The ROR IG has no such notion; this project owns the
 * code system `urn:ror:data-origin` (a URN, so it never resolves to a third party's site) with the codes
 * `synthetic` (generated demo data), `finess` (imported from FINESS open data) and `sae` (imported from the SAE).
 */
export const DATA_ORIGIN_SYSTEM = 'urn:ror:data-origin';
export const DATA_ORIGINS = ['synthetic', 'finess', 'sae'] as const;
export type DataOrigin = (typeof DATA_ORIGINS)[number];

/** NOS code systems (TRE) used by the model. */
export const SYSTEM = {
  /** TRE_G07 type d'identifiant structure (J236): 40 idNatSt, 1 FINESS, 2 SIREN, 3 SIRET, 4 RPPS rang, 0 ADELI rang */
  typeIdentifiantStructure: tre('TRE_G07-TypeIdentifiantStructure'),
  /** TRE_G08 type d'identifiant personne (J236): 30 situation opérationnelle */
  typeIdentifiantPersonne: tre('TRE_G08-TypeIdentifiantPersonne'),
  /** TRE_R345 type d'identifiant autre (J236): 42/43 OI, 35/36 offre, 25/26 lieu */
  typeIdentifiantAutre: tre('TRE_R345-TypeIdentifiantAutre'),
  activiteOperationnelle: tre('TRE_R211-ActiviteOperationnelle'),
  familleActiviteSerafin: tre('TRE_R265-PrestationPilotageSerafin'),
  familleActiviteHorsSerafin: tre('TRE_R266-FamilleActiviteOperationnelleHorsSerafin'),
  champActivite: tre('TRE_R227-ChampActivite'),
  modePriseEnCharge: tre('TRE_R213-ModePriseEnCharge'),
  acteSpecifique: tre('TRE_R210-ActeSpecifique'),
  categorieOrganisation: tre('TRE_R244-CategorieOrganisation'),
  temporaliteAccueil: tre('TRE_R240-TemporaliteAccueil'),
  modaliteAccueil: tre('TRE_R338-ModaliteAccueil'),
  modeGestion: tre('TRE_R236-ModeGestion'),
  specialisationPriseEnCharge: tre('TRE_R245-SpecialisationDePriseEnCharge'),
  ouvertureAnnuelle: tre('TRE_R238-OuvertureAnnuelle'),
  competenceSpecifique: tre('TRE_R243-CompetenceSpecifique'),
  typeMaternite: tre('TRE_R253-TypeMaternite'),
  typeFermeture: tre('TRE_R286-TypeFermeture'),
  publicPrisEnCharge: tre('TRE_R239-PublicPrisEnCharge'),
  typeHoraire: tre('TRE_R252-TypeHoraire'),
  natureContact: tre('TRE_R287-NatureContact'),
  fonctionContact: tre('TRE_R251-FonctionContact'),
  niveauConfidentialite: tre('TRE_R283-NiveauConfidentialite'),
  canalCommunication: tre('TRE_R200-CanalCommunication'),
  typeDivisionTerritoriale: tre('TRE_R201-TypeDivisionTerritoriale'),
  regionOM: tre('TRE_R30-RegionOM'),
  departementOM: tre('TRE_G09-DepartementOM'),
  commune: tre('TRE_R13-Commune'),
  communeOM: tre('TRE_R13-CommuneOM'),
  natureCapacite: tre('TRE_R329-NatureCapacite'),
  typeStatutCapacite: tre('TRE_R330-TypeStatutCapacite'),
  temporaliteCapacite: tre('TRE_R331-TemporaliteCapacite'),
  genreCapacite: tre('TRE_R332-GenreCapacite'),
  typeFermetureCapacite: tre('TRE_R333-TypeFermetureCapacite'),
  typeLitSupplementaire: tre('TRE_R334-TypeLitSupplementaire'),
  typeSourceCapacite: tre('TRE_R335-TypeSourceCapacite'),
  typeCrise: tre('TRE_R336-TypeCrise'),
  affectationTemporaire: tre('TRE_R337-AffectationTemporaire'),
  equipement: tre('TRE_R212-Equipement'),
  typeCaracteristiqueEquipement: tre('TRE_R340-TypeCaracteristiqueEquipement'),
  typeHabitation: tre('TRE_R242-TypeHabitation'),
  fonctionLieu: tre('TRE_R343-FonctionLieu'),
  statutLieu: tre('TRE_R203-StatutLieu'),
  statutJuridique: tre('TRE_R72-FinessStatutJuridique'),
  agregatStatutJuridique: tre('TRE_R69-FinessAgregatStatutJuridiqueNiv2'),
  categorieEtablissement: tre('TRE_R66-CategorieEtablissement'),
  autreCategorieEtablissement: tre('TRE_R316-AutreCategorieEtablissement'),
  secteurActivite: tre('TRE_R02-SecteurActivite'),
  espic: tre('TRE_R73-ESPIC'),
  typeOrganisationInterne: tre('TRE_R207-TypeOrganisationInterne'),
  aideFinanciere: tre('TRE_R241-AideFinanciere'),
  accessibiliteLieu: tre('TRE_R202-AccessibiliteLieu'),
  niveauRecoursOrsan: tre('TRE_R284-NiveauRecoursORSAN'),
  professionSante: tre('TRE_G15-ProfessionSante'),
  modeExercice: tre('TRE_R23-ModeExercice'),
  civilite: tre('TRE_R81-Civilite'),
  civiliteExercice: tre('TRE_R11-CiviliteExercice'),
  typeSavoirFaire: tre('TRE_R04-TypeSavoirFaire'),
  specialiteOrdinale: tre('TRE_R38-SpecialiteOrdinale'),
  competence: tre('TRE_R39-Competence'),
  competenceExclusive: tre('TRE_R40-CompetenceExclusive'),
  orientationParticuliere: tre('TRE_G13-OrientationParticuliere'),
  capaciteSavoirFaire: tre('TRE_R43-CapaciteSavoirFaire'),
  qualificationPac: tre('TRE_R44-QualificationPAC'),
  descNonQualifiant: tre('TRE_R42-DESCnonQualifiant'),
  droitExerciceCompl: tre('TRE_R97-DroitExerciceCompl'),
  secteurConventionnement: tre('TRE_R282-CNAMAmeliSecteurConventionnement'),
  typeVoie: tre('TRE_R35-TypeVoie'),
  /** RORTask: thématique (JDV_J241), action (JDV_J242), statut métier (JDV_J244) — value sets not in `nos/` */
  thematiqueAnomalie: tre('TRE_R350-ThematiqueAnomalie'),
  actionAnomalie: tre('TRE_R349-ActionAnomalie'),
  statutMetierAnomalie: tre('TRE_R352-StatutMetierAnomalie'),
} as const;

/** NOS value sets (JDV) bound by the ROR profiles. */
export const VALUE_SET = {
  J16: jdv('JDV_J16-ActeSpecifique-ROR'),
  J17: jdv('JDV_J17-ActiviteOperationnelle-ROR'),
  J18: jdv('JDV_J18-EquipementSpecifique-ROR'),
  J19: jdv('JDV_J19-ModePriseEnCharge-ROR'),
  J20: jdv('JDV_J20-ChampActivite-ROR'),
  J26: jdv('JDV_J26-ModeGestion-ROR'),
  J28: jdv('JDV_J28-OuvertureAnnuelle-ROR'),
  J29: jdv('JDV_J29-PublicPrisEnCharge-ROR'),
  J30: jdv('JDV_J30-TemporaliteAccueil-ROR'),
  J31: jdv('JDV_J31-AideFinanciere-ROR'),
  J32: jdv('JDV_J32-TypeHabitation-ROR'),
  J33: jdv('JDV_J33-CompetenceSpecifique-ROR'),
  J35: jdv('JDV_J35-SpecialisationDePriseEnCharge-ROR'),
  J41: jdv('JDV_J41-TypeHoraire-ROR'),
  J50: jdv('JDV_J50-AccessibiliteLieu-ROR'),
  J51: jdv('JDV_J51-FamilleActiviteOperationnelle-ROR'),
  J55: jdv('JDV_J55-CategorieEG-ROR'),
  J185: jdv('JDV_J185-TypeFermeture-ROR'),
  J186: jdv('JDV_J186-ProfessionRessource-ROR'),
  J187: jdv('JDV_J187-NatureCapacite-ROR'),
  J188: jdv('JDV_J188-TypeStatutCapacite-ROR'),
  J189: jdv('JDV_J189-TemporaliteCapacite-ROR'),
  J190: jdv('JDV_J190-GenreCapacite-ROR'),
  J191: jdv('JDV_J191-TypeFermetureCapacite-ROR'),
  J192: jdv('JDV_J192-TypeLitSupplementaire-ROR'),
  J193: jdv('JDV_J193-TypeSourceCapacite-ROR'),
  J194: jdv('JDV_J194-TypeCrise-ROR'),
  J195: jdv('JDV_J195-AffectationTemporaire-ROR'),
  J198: jdv('JDV_J198-FonctionLieu-ROR'),
  J199: jdv('JDV_J199-StatutJuridique-ROR'),
  J200: jdv('JDV_J200-SousEnsembleAgregatStatutJuridique-ROR'),
  J201: jdv('JDV_J201-TypeFermeture-ROR'),
  J202: jdv('JDV_J202-ESPIC-ROR'),
  J203: jdv('JDV_J203-TypeOrganisationInterne-ROR'),
  J204: jdv('JDV_J204-NiveauRecoursORSAN-ROR'),
  J207: jdv('JDV_J207-Civilite-ROR'),
  J208: jdv('JDV_J208-CiviliteExercice-ROR'),
  J209: jdv('JDV_J209-TypeSavoirFaire-ROR'),
  J210: jdv('JDV_J210-SpecialiteOrdinale-ROR'),
  J211: jdv('JDV_J211-CompetenceExclusive-ROR'),
  J212: jdv('JDV_J212-OrientationParticuliere-ROR'),
  J213: jdv('JDV_J213-CapaciteSavoirFaire-ROR'),
  J214: jdv('JDV_J214-QualificationPAC-ROR'),
  J215: jdv('JDV_J215-DESCnonQualifiant-ROR'),
  J216: jdv('JDV_J216-DroitExerciceCompl-ROR'),
  J217: jdv('JDV_J217-ModeExercice-ROR'),
  J218: jdv('JDV_J218-CNAMAmeliSecteurConventionnement-ROR'),
  J219: jdv('JDV_J219-TypeVoie-ROR'),
  J220: jdv('JDV_J220-FonctionContact-ROR'),
  J221: jdv('JDV_J221-NatureContact-ROR'),
  J222: jdv('JDV_J222-NiveauConfidentialite-ROR'),
  J223: jdv('JDV_J223-TypeDivisionTerritoriale-ROR'),
  J224: jdv('JDV_J224-StatutLieu-ROR'),
  J225: jdv('JDV_J225-CanalCommunication-ROR'),
  J226: jdv('JDV_J226-ModaliteAccueil-ROR'),
  J227: jdv('JDV_J227-NiveauExpertise-ROR'),
  J228: jdv('JDV_J228-TypeCaracteristiqueEquipement-ROR'),
  J229: jdv('JDV_J229-ProfessionSante-ROR'),
  J232: jdv('JDV_J232-Competence-ROR'),
  J236: jdv('JDV_J236-TypeIdentifiant-ROR'),
  J237: jdv('JDV_J237-RegionOM-ROR'),
  J238: jdv('JDV_J238-TypeOffre-ROR'),
  J248: jdv('JDV_J248-DepartementOM-ROR'),
} as const;
export type ValueSetKey = keyof typeof VALUE_SET;
