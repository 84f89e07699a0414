/**
 * The offer catalogue shared by the demo dataset and the synthetic generator: which offers (HealthcareService)
 * a structure of each kind runs, with their NOS codes (every code is checked against its value set by
 * catalogue.test.ts), their internal organisation (pôle → service) and the size of their capacities.
 */

/** JDV_J20 champ d'activité. */
export type Champ = '01' | '02' | '03' | '04' | '05';
/** JDV_J187 nature de capacité: 01 lit, 02 place. */
export type CapacityNature = '01' | '02';

export type PoleKey =
  | 'urgences'
  | 'medecine'
  | 'chirurgie'
  | 'femme-enfant'
  | 'psychiatrie'
  | 'smr'
  | 'gerontologie'
  | 'medico-technique';

export const POLES: Record<PoleKey, string> = {
  urgences: 'Pôle Urgences et soins critiques',
  medecine: 'Pôle Médecine',
  chirurgie: 'Pôle Chirurgie',
  'femme-enfant': 'Pôle Femme, mère, enfant',
  psychiatrie: 'Pôle Psychiatrie et santé mentale',
  smr: 'Pôle Soins médicaux et de réadaptation',
  gerontologie: 'Pôle Gérontologie et soins de longue durée',
  'medico-technique': 'Pôle Médico-technique',
};

/** Which SAE bed count gives an emergency site's unit its real installed capacity. */
export type SaeBeds = 'uhcd' | 'icu' | 'intensive' | 'mco';

export interface OfferTemplate {
  /** Readable id part, unique in the catalogue (`hs-<FINESS ET>-<key>`). */
  key: string;
  /** nomOffre, as shown to users (French). */
  name: string;
  champ: Champ;
  /** JDV_J17 activité opérationnelle (TRE_R211). */
  activite: string;
  /** JDV_J19 mode de prise en charge (TRE_R213). */
  careMode: string;
  /** JDV_J238 type d'offre (TRE_R244). */
  typeOffre: string;
  /** Patientèle age range in years (low, high). */
  ageRange: readonly [number, number];
  /** JDV_J29 publics pris en charge; mandatory for médico-social offers. */
  publics?: readonly string[];
  /** JDV_J30 temporalité d'accueil: 01 temporaire, 02 permanent. */
  receptionType?: '01' | '02';
  /** JDV_J227 niveau d'expertise (maternité type 1 … 3), chosen per structure. */
  expertiseLevels?: readonly string[];
  /** JDV_J18 équipement spécifique of the offer's place. */
  equipment?: string;
  sensitive?: boolean;
  pole: PoleKey;
  service: { key: string; name: string };
  /** Installed capacity range; `live` capacities also carry current available/occupied counts. */
  capacity?: { nature: CapacityNature; min: number; max: number; live: boolean };
  /** Real installed count of emergency sites, from the SAE. */
  sae?: SaeBeds;
  /** JDV_J32 types d'habitation of a residential offer, with their share of the places. */
  residential?: readonly { type: string; share: number }[];
  /** Practitioners of the offer: JDV_J210 spécialité ordinale … */
  specialty?: string;
  /** … and JDV_J229 profession (default 10, médecin). */
  profession?: string;
  /**
   * Emergency and critical-care units publish a très-restreint (JDV_J222 3) direct line for professionals: the
   * unit's own line, or the SAMU régulation for a SMUR.
   */
  directLine?: 'unit' | 'regulation';
}

const ADULTS = [18, 120] as const;
const ALL_AGES = [0, 120] as const;
const CHILDREN = [0, 18] as const;

const svc = (key: string, name: string): { key: string; name: string } => ({ key, name });

const URGENCES = svc('urgences', 'Service des urgences');
const REANIMATION = svc('reanimation', 'Service de réanimation et soins intensifs');
const CARDIOLOGIE = svc('cardiologie', 'Service de cardiologie');
const NEUROLOGIE = svc('neurologie', 'Service de neurologie');
const PSY_ADULTE = svc('psychiatrie-adulte', 'Service de psychiatrie adulte');
const PEDOPSY = svc('pedopsychiatrie', 'Service de psychiatrie de l’enfant et de l’adolescent');
const SMR = svc('smr', 'Service de soins médicaux et de réadaptation');
const IMAGERIE = svc('imagerie', 'Service d’imagerie médicale');

const TEMPLATES: readonly OfferTemplate[] = [
  // Urgences et soins critiques
  { key: 'urgences', name: 'Urgences adultes', champ: '01', activite: '157', careMode: '33', typeOffre: '20', ageRange: [15, 120], pole: 'urgences', service: URGENCES, specialty: 'SM59', directLine: 'unit' },
  { key: 'urgences-polyvalentes', name: 'Urgences polyvalentes', champ: '01', activite: '157', careMode: '33', typeOffre: '20', ageRange: ALL_AGES, pole: 'urgences', service: URGENCES, specialty: 'SM59', directLine: 'unit' },
  { key: 'urgences-pediatriques', name: 'Urgences pédiatriques', champ: '01', activite: '249', careMode: '33', typeOffre: '311', ageRange: CHILDREN, pole: 'urgences', service: svc('urgences-pediatriques', 'Service des urgences pédiatriques'), specialty: 'SM40', directLine: 'unit' },
  { key: 'uhcd', name: 'Unité d’hospitalisation de courte durée (UHCD)', champ: '01', activite: '157', careMode: '13', typeOffre: '278', ageRange: ALL_AGES, pole: 'urgences', service: URGENCES, capacity: { nature: '01', min: 4, max: 16, live: true }, sae: 'uhcd', directLine: 'unit' },
  { key: 'smur', name: 'SMUR', champ: '01', activite: '136', careMode: '11', typeOffre: '247', ageRange: ALL_AGES, pole: 'urgences', service: URGENCES, directLine: 'regulation' },
  { key: 'rea-adulte', name: 'Réanimation polyvalente adulte', champ: '01', activite: '127', careMode: '28', typeOffre: '121', ageRange: ADULTS, pole: 'urgences', service: REANIMATION, capacity: { nature: '01', min: 8, max: 24, live: true }, sae: 'icu', specialty: 'SM46', directLine: 'unit' },
  { key: 'rea-pediatrique', name: 'Réanimation pédiatrique', champ: '01', activite: '130', careMode: '28', typeOffre: '121', ageRange: CHILDREN, pole: 'femme-enfant', service: svc('reanimation-pediatrique', 'Service de réanimation pédiatrique'), capacity: { nature: '01', min: 4, max: 12, live: true }, sae: 'icu', specialty: 'SM40', directLine: 'unit' },
  { key: 'si-polyvalent', name: 'Soins intensifs polyvalents', champ: '01', activite: '351', careMode: '28', typeOffre: '122', ageRange: ADULTS, pole: 'urgences', service: REANIMATION, capacity: { nature: '01', min: 6, max: 16, live: true }, sae: 'intensive', specialty: 'SM02', directLine: 'unit' },
  { key: 'usic', name: 'Unité de soins intensifs de cardiologie (USIC)', champ: '01', activite: '354', careMode: '28', typeOffre: '262', ageRange: ADULTS, pole: 'medecine', service: CARDIOLOGIE, capacity: { nature: '01', min: 6, max: 16, live: true }, sae: 'intensive', specialty: 'SM04', directLine: 'unit' },
  { key: 'usinv', name: 'Unité neurovasculaire, soins intensifs (USINV)', champ: '01', activite: '356', careMode: '28', typeOffre: '263', ageRange: ADULTS, pole: 'medecine', service: NEUROLOGIE, capacity: { nature: '01', min: 4, max: 12, live: true }, sae: 'intensive', specialty: 'SM32', directLine: 'unit' },

  // Médecine
  { key: 'medecine-polyvalente', name: 'Médecine polyvalente', champ: '01', activite: '083', careMode: '28', typeOffre: '238', ageRange: ADULTS, pole: 'medecine', service: svc('medecine-polyvalente', 'Service de médecine polyvalente'), capacity: { nature: '01', min: 20, max: 60, live: true }, sae: 'mco', specialty: 'SM27' },
  { key: 'cardiologie', name: 'Cardiologie', champ: '01', activite: '013', careMode: '28', typeOffre: '149', ageRange: ADULTS, pole: 'medecine', service: CARDIOLOGIE, capacity: { nature: '01', min: 20, max: 50, live: true }, sae: 'mco', specialty: 'SM04' },
  { key: 'neurologie', name: 'Neurologie', champ: '01', activite: '097', careMode: '28', typeOffre: '161', ageRange: ADULTS, pole: 'medecine', service: NEUROLOGIE, capacity: { nature: '01', min: 15, max: 40, live: true }, sae: 'mco', specialty: 'SM32' },
  { key: 'pneumologie', name: 'Pneumologie', champ: '01', activite: '114', careMode: '28', typeOffre: '163', ageRange: ADULTS, pole: 'medecine', service: svc('pneumologie', 'Service de pneumologie'), capacity: { nature: '01', min: 15, max: 40, live: true }, sae: 'mco', specialty: 'SM41' },
  { key: 'gastro-enterologie', name: 'Hépato-gastro-entérologie', champ: '01', activite: '046', careMode: '28', typeOffre: '170', ageRange: ADULTS, pole: 'medecine', service: svc('gastro-enterologie', 'Service d’hépato-gastro-entérologie'), capacity: { nature: '01', min: 15, max: 40, live: true }, sae: 'mco', specialty: 'SM24' },
  { key: 'geriatrie-aigue', name: 'Médecine gériatrique aiguë', champ: '01', activite: '491', careMode: '28', typeOffre: '156', ageRange: [75, 120], pole: 'gerontologie', service: svc('geriatrie', 'Service de gériatrie'), capacity: { nature: '01', min: 15, max: 40, live: true }, sae: 'mco', specialty: 'SM18' },
  { key: 'oncologie', name: 'Oncologie médicale', champ: '01', activite: '102', careMode: '28', typeOffre: '171', ageRange: ADULTS, pole: 'medecine', service: svc('oncologie', 'Service d’oncologie'), capacity: { nature: '01', min: 10, max: 30, live: true }, sae: 'mco', specialty: 'SM36' },
  { key: 'hdj-chimiotherapie', name: 'Hôpital de jour de chimiothérapie', champ: '01', activite: '164', careMode: '29', typeOffre: '171', ageRange: ADULTS, pole: 'medecine', service: svc('oncologie', 'Service d’oncologie'), capacity: { nature: '02', min: 8, max: 30, live: false }, specialty: 'SM36' },
  { key: 'addictologie', name: 'Addictologie, sevrage complexe', champ: '01', activite: '404', careMode: '28', typeOffre: '145', ageRange: ADULTS, pole: 'medecine', service: svc('addictologie', 'Service d’addictologie'), capacity: { nature: '01', min: 8, max: 20, live: true }, sae: 'mco' },
  { key: 'usmp', name: 'Unité sanitaire en milieu pénitentiaire', champ: '01', activite: '089', careMode: '32', typeOffre: '309', ageRange: [13, 120], pole: 'medecine', service: svc('usmp', 'Unité sanitaire en milieu pénitentiaire'), sensitive: true },
  { key: 'consultations-medecine', name: 'Consultations de médecine', champ: '01', activite: '083', careMode: '32', typeOffre: '69', ageRange: ALL_AGES, pole: 'medecine', service: svc('consultations', 'Consultations externes') },

  // Chirurgie
  { key: 'chirurgie-orthopedique', name: 'Chirurgie orthopédique et traumatologique', champ: '01', activite: '025', careMode: '28', typeOffre: '150', ageRange: [15, 120], pole: 'chirurgie', service: svc('orthopedie', 'Service d’orthopédie et traumatologie'), capacity: { nature: '01', min: 15, max: 45, live: true }, sae: 'mco', specialty: 'SM08' },
  { key: 'chirurgie-viscerale', name: 'Chirurgie viscérale et digestive', champ: '01', activite: '033', careMode: '28', typeOffre: '153', ageRange: [15, 120], pole: 'chirurgie', service: svc('chirurgie-viscerale', 'Service de chirurgie viscérale et digestive'), capacity: { nature: '01', min: 15, max: 40, live: true }, sae: 'mco', specialty: 'SM14' },
  { key: 'urologie', name: 'Urologie', champ: '01', activite: '031', careMode: '28', typeOffre: '234', ageRange: [15, 120], pole: 'chirurgie', service: svc('urologie', 'Service d’urologie'), capacity: { nature: '01', min: 10, max: 30, live: true }, sae: 'mco', specialty: 'SM12' },
  { key: 'chirurgie-ambulatoire', name: 'Unité de chirurgie ambulatoire', champ: '01', activite: '025', careMode: '09', typeOffre: '150', ageRange: ALL_AGES, pole: 'chirurgie', service: svc('chirurgie-ambulatoire', 'Unité de chirurgie ambulatoire'), capacity: { nature: '02', min: 10, max: 40, live: false } },
  { key: 'chirurgie-carcinologique', name: 'Chirurgie carcinologique', champ: '01', activite: '281', careMode: '28', typeOffre: '171', ageRange: ADULTS, pole: 'chirurgie', service: svc('chirurgie-carcinologique', 'Service de chirurgie oncologique'), capacity: { nature: '01', min: 10, max: 30, live: true }, sae: 'mco', specialty: 'SM14' },

  // Femme, mère, enfant
  { key: 'maternite', name: 'Maternité, obstétrique', champ: '01', activite: '100', careMode: '28', typeOffre: '290', ageRange: [12, 55], expertiseLevels: ['01', '02', '03', '04'], pole: 'femme-enfant', service: svc('maternite', 'Maternité'), capacity: { nature: '01', min: 15, max: 60, live: true }, sae: 'mco', specialty: 'SM20' },
  { key: 'neonatologie', name: 'Néonatologie', champ: '01', activite: '094', careMode: '28', typeOffre: '289', ageRange: [0, 1], pole: 'femme-enfant', service: svc('neonatologie', 'Service de néonatologie'), capacity: { nature: '01', min: 6, max: 24, live: true }, sae: 'mco', specialty: 'SM40' },
  { key: 'pediatrie', name: 'Pédiatrie', champ: '01', activite: '088', careMode: '28', typeOffre: '162', ageRange: CHILDREN, pole: 'femme-enfant', service: svc('pediatrie', 'Service de pédiatrie'), capacity: { nature: '01', min: 10, max: 40, live: true }, sae: 'mco', specialty: 'SM40' },
  { key: 'orthogenie', name: 'Centre de santé sexuelle, orthogénie', champ: '01', activite: '105', careMode: '32', typeOffre: '89', ageRange: [12, 55], pole: 'femme-enfant', service: svc('orthogenie', 'Centre de santé sexuelle') },

  // Psychiatrie
  { key: 'psy-hc-adulte', name: 'Psychiatrie adulte, hospitalisation complète', champ: '03', activite: '229', careMode: '28', typeOffre: '16', ageRange: ADULTS, pole: 'psychiatrie', service: PSY_ADULTE, capacity: { nature: '01', min: 20, max: 60, live: true }, specialty: 'SM42' },
  { key: 'psy-hdj-adulte', name: 'Hôpital de jour de psychiatrie adulte', champ: '03', activite: '229', careMode: '29', typeOffre: '11', ageRange: ADULTS, pole: 'psychiatrie', service: PSY_ADULTE, capacity: { nature: '02', min: 10, max: 25, live: false } },
  { key: 'psy-cmp-adulte', name: 'Centre médico-psychologique adultes', champ: '03', activite: '229', careMode: '32', typeOffre: '10', ageRange: ADULTS, pole: 'psychiatrie', service: PSY_ADULTE },
  { key: 'psy-cattg-adulte', name: 'Centre d’activités thérapeutiques adultes (ex-CATTP)', champ: '03', activite: '229', careMode: '42', typeOffre: '05', ageRange: ADULTS, pole: 'psychiatrie', service: PSY_ADULTE },
  { key: 'psy-accueil-familial', name: 'Accueil familial thérapeutique', champ: '03', activite: '229', careMode: '41', typeOffre: '13', ageRange: ADULTS, pole: 'psychiatrie', service: PSY_ADULTE, capacity: { nature: '02', min: 4, max: 15, live: false } },
  { key: 'psy-appartement', name: 'Appartement thérapeutique', champ: '03', activite: '231', careMode: '46', typeOffre: '01', ageRange: ADULTS, pole: 'psychiatrie', service: PSY_ADULTE, capacity: { nature: '02', min: 2, max: 8, live: false } },
  { key: 'pedopsy-hc', name: 'Pédopsychiatrie, hospitalisation complète', champ: '03', activite: '227', careMode: '28', typeOffre: '282', ageRange: CHILDREN, pole: 'psychiatrie', service: PEDOPSY, capacity: { nature: '01', min: 8, max: 20, live: true }, specialty: 'SM43' },
  { key: 'pedopsy-hdj', name: 'Hôpital de jour de pédopsychiatrie', champ: '03', activite: '227', careMode: '29', typeOffre: '11', ageRange: CHILDREN, pole: 'psychiatrie', service: PEDOPSY, capacity: { nature: '02', min: 8, max: 20, live: false } },
  { key: 'pedopsy-cmp', name: 'Centre médico-psychologique infanto-juvénile', champ: '03', activite: '227', careMode: '32', typeOffre: '281', ageRange: CHILDREN, pole: 'psychiatrie', service: PEDOPSY },
  { key: 'gerontopsychiatrie', name: 'Gérontopsychiatrie', champ: '03', activite: '051', careMode: '28', typeOffre: '16', ageRange: [65, 120], pole: 'psychiatrie', service: svc('gerontopsychiatrie', 'Service de gérontopsychiatrie'), capacity: { nature: '01', min: 10, max: 25, live: true } },

  // Soins médicaux et de réadaptation
  { key: 'smr-polyvalent', name: 'SMR polyvalent', champ: '02', activite: '172', careMode: '28', typeOffre: '100', ageRange: ADULTS, pole: 'smr', service: SMR, capacity: { nature: '01', min: 20, max: 60, live: true }, specialty: 'SM29' },
  { key: 'smr-locomoteur', name: 'SMR de l’appareil locomoteur', champ: '02', activite: '456', careMode: '28', typeOffre: '102', ageRange: ADULTS, pole: 'smr', service: SMR, capacity: { nature: '01', min: 15, max: 40, live: true }, specialty: 'SM29' },
  { key: 'smr-neurologique', name: 'SMR du système nerveux', champ: '02', activite: '459', careMode: '28', typeOffre: '103', ageRange: ADULTS, pole: 'smr', service: SMR, capacity: { nature: '01', min: 15, max: 40, live: true }, specialty: 'SM29' },
  { key: 'smr-cardiovasculaire', name: 'SMR cardio-vasculaire', champ: '02', activite: '458', careMode: '28', typeOffre: '104', ageRange: ADULTS, pole: 'smr', service: SMR, capacity: { nature: '01', min: 10, max: 30, live: true }, specialty: 'SM04' },
  { key: 'smr-geriatrique', name: 'SMR gériatrique', champ: '02', activite: '241', careMode: '28', typeOffre: '101', ageRange: [75, 120], pole: 'smr', service: SMR, capacity: { nature: '01', min: 15, max: 45, live: true }, specialty: 'SM18' },
  { key: 'smr-addictologie', name: 'SMR des conduites addictives', champ: '02', activite: '240', careMode: '28', typeOffre: '108', ageRange: ADULTS, pole: 'smr', service: SMR, capacity: { nature: '01', min: 15, max: 40, live: true } },
  { key: 'smr-hdj', name: 'Hôpital de jour SMR', champ: '02', activite: '172', careMode: '29', typeOffre: '100', ageRange: ADULTS, pole: 'smr', service: SMR, capacity: { nature: '02', min: 6, max: 20, live: false } },

  // Gérontologie, longue durée, domicile
  { key: 'usld', name: 'Unité de soins de longue durée', champ: '01', activite: '333', careMode: '28', typeOffre: '249', ageRange: [60, 120], pole: 'gerontologie', service: svc('usld', 'Unité de soins de longue durée'), capacity: { nature: '01', min: 30, max: 90, live: true } },
  { key: 'had', name: 'Hospitalisation à domicile', champ: '01', activite: '083', careMode: '31', typeOffre: '128', ageRange: ALL_AGES, pole: 'gerontologie', service: svc('had', 'Hospitalisation à domicile'), capacity: { nature: '02', min: 20, max: 80, live: true } },

  // Médico-technique
  { key: 'irm', name: 'IRM', champ: '01', activite: '068', careMode: '55', typeOffre: '164', ageRange: ALL_AGES, equipment: '054', pole: 'medico-technique', service: IMAGERIE, specialty: 'SM44' },
  { key: 'scanner', name: 'Scanner', champ: '01', activite: '070', careMode: '55', typeOffre: '164', ageRange: ALL_AGES, pole: 'medico-technique', service: IMAGERIE, specialty: 'SM44' },
  { key: 'scintigraphie', name: 'Médecine nucléaire, scintigraphie', champ: '01', activite: '169', careMode: '55', typeOffre: '239', ageRange: ALL_AGES, pole: 'medico-technique', service: svc('medecine-nucleaire', 'Service de médecine nucléaire') },
  { key: 'radiotherapie', name: 'Radiothérapie', champ: '01', activite: '168', careMode: '20', typeOffre: '117', ageRange: ADULTS, pole: 'medico-technique', service: svc('radiotherapie', 'Service de radiothérapie'), specialty: 'SM45' },

  // Ville (ambulatoire)
  { key: 'medecine-generale', name: 'Consultations de médecine générale', champ: '05', activite: '437', careMode: '32', typeOffre: '196', ageRange: ALL_AGES, pole: 'medecine', service: svc('ville', 'Soins de ville'), specialty: 'SM54' },
  { key: 'pediatrie-ville', name: 'Consultations de pédiatrie', champ: '05', activite: '088', careMode: '32', typeOffre: '205', ageRange: CHILDREN, pole: 'medecine', service: svc('ville', 'Soins de ville'), specialty: 'SM40' },
  { key: 'soins-infirmiers-ville', name: 'Soins infirmiers', champ: '05', activite: '287', careMode: '49', typeOffre: '225', ageRange: ALL_AGES, pole: 'medecine', service: svc('ville', 'Soins de ville') },
  { key: 'kinesitherapie-ville', name: 'Masso-kinésithérapie', champ: '05', activite: '339', careMode: '32', typeOffre: '195', ageRange: ALL_AGES, pole: 'medecine', service: svc('ville', 'Soins de ville') },
  { key: 'dentaire', name: 'Soins dentaires', champ: '05', activite: '442', careMode: '32', typeOffre: '226', ageRange: ALL_AGES, pole: 'medecine', service: svc('ville', 'Soins de ville'), specialty: 'SCD03', profession: '40' },

  // Coordination (médico-social)
  { key: 'coordination-parcours', name: 'Information et coordination gérontologique', champ: '04', activite: '335', careMode: '58', typeOffre: '72', ageRange: [60, 120], publics: ['01'], pole: 'gerontologie', service: svc('coordination', 'Coordination gérontologique') },

  // Médico-social: personnes âgées
  { key: 'hebergement-permanent', name: 'Hébergement permanent', champ: '04', activite: '293', careMode: '46', typeOffre: '21', ageRange: [60, 120], publics: ['01'], receptionType: '02', pole: 'gerontologie', service: svc('hebergement', 'Hébergement'), capacity: { nature: '02', min: 40, max: 110, live: true }, residential: [{ type: '02', share: 0.85 }, { type: '01', share: 0.15 }] },
  { key: 'hebergement-temporaire', name: 'Hébergement temporaire', champ: '04', activite: '293', careMode: '46', typeOffre: '21', ageRange: [60, 120], publics: ['01'], receptionType: '01', pole: 'gerontologie', service: svc('hebergement', 'Hébergement'), capacity: { nature: '02', min: 2, max: 8, live: true }, residential: [{ type: '02', share: 1 }] },
  { key: 'unite-vie-protegee', name: 'Unité de vie protégée', champ: '04', activite: '306', careMode: '46', typeOffre: '24', ageRange: [60, 120], publics: ['01'], receptionType: '02', pole: 'gerontologie', service: svc('hebergement', 'Hébergement'), capacity: { nature: '02', min: 10, max: 24, live: true }, residential: [{ type: '02', share: 1 }] },
  { key: 'pasa', name: 'Pôle d’activités et de soins adaptés (PASA)', champ: '04', activite: '306', careMode: '54', typeOffre: '25', ageRange: [60, 120], publics: ['01'], pole: 'gerontologie', service: svc('hebergement', 'Hébergement'), capacity: { nature: '02', min: 12, max: 14, live: false } },
  { key: 'residence-autonomie', name: 'Logements en résidence autonomie', champ: '04', activite: '298', careMode: '46', typeOffre: '22', ageRange: [60, 120], publics: ['03'], receptionType: '02', pole: 'gerontologie', service: svc('logement', 'Logements'), capacity: { nature: '02', min: 20, max: 80, live: false }, residential: [{ type: '03', share: 0.7 }, { type: '05', share: 0.3 }] },
  { key: 'ssiad', name: 'Soins infirmiers à domicile', champ: '04', activite: '287', careMode: '49', typeOffre: '28', ageRange: [18, 120], publics: ['01', '02'], pole: 'gerontologie', service: svc('domicile', 'Interventions à domicile'), capacity: { nature: '02', min: 30, max: 100, live: false } },
  { key: 'aide-domicile', name: 'Aide et accompagnement à domicile', champ: '04', activite: '293', careMode: '49', typeOffre: '30', ageRange: [18, 120], publics: ['01', '02'], pole: 'gerontologie', service: svc('domicile', 'Interventions à domicile') },

  // Médico-social: personnes en situation de handicap
  { key: 'ime', name: 'Accompagnement en institut médico-éducatif', champ: '04', activite: '300', careMode: '46', typeOffre: '48', ageRange: [3, 20], publics: ['02'], receptionType: '02', pole: 'medecine', service: svc('accompagnement', 'Accompagnement'), capacity: { nature: '02', min: 30, max: 80, live: false } },
  { key: 'sessad', name: 'Éducation spéciale et soins à domicile (SESSAD)', champ: '04', activite: '300', careMode: '49', typeOffre: '57', ageRange: [0, 20], publics: ['02'], pole: 'medecine', service: svc('accompagnement', 'Accompagnement'), capacity: { nature: '02', min: 20, max: 50, live: false } },
  { key: 'itep', name: 'Accompagnement thérapeutique, éducatif et pédagogique (ITEP)', champ: '04', activite: '296', careMode: '46', typeOffre: '50', ageRange: [6, 20], publics: ['02'], receptionType: '02', pole: 'medecine', service: svc('accompagnement', 'Accompagnement'), capacity: { nature: '02', min: 20, max: 50, live: false } },
  { key: 'camsp', name: 'Dépistage et accompagnement précoce (CAMSP)', champ: '04', activite: '448', careMode: '32', typeOffre: '61', ageRange: [0, 6], publics: ['02'], pole: 'medecine', service: svc('accompagnement', 'Accompagnement') },
  { key: 'mas', name: 'Hébergement en maison d’accueil spécialisée', champ: '04', activite: '293', careMode: '46', typeOffre: '40', ageRange: [20, 120], publics: ['02'], receptionType: '02', pole: 'medecine', service: svc('hebergement', 'Hébergement'), capacity: { nature: '02', min: 30, max: 60, live: true }, residential: [{ type: '02', share: 1 }] },
  { key: 'eam', name: 'Hébergement en établissement d’accueil médicalisé', champ: '04', activite: '285', careMode: '46', typeOffre: '39', ageRange: [20, 120], publics: ['02'], receptionType: '02', pole: 'medecine', service: svc('hebergement', 'Hébergement'), capacity: { nature: '02', min: 20, max: 50, live: true }, residential: [{ type: '02', share: 1 }] },
  { key: 'esat', name: 'Activité professionnelle adaptée (ESAT)', champ: '04', activite: '304', careMode: '54', typeOffre: '43', ageRange: [18, 65], publics: ['02'], pole: 'medecine', service: svc('ateliers', 'Ateliers'), capacity: { nature: '02', min: 40, max: 120, live: false } },
  { key: 'foyer-de-vie', name: 'Accueil en foyer de vie', champ: '04', activite: '313', careMode: '46', typeOffre: '97', ageRange: [20, 120], publics: ['02'], receptionType: '02', pole: 'medecine', service: svc('hebergement', 'Hébergement'), capacity: { nature: '02', min: 20, max: 50, live: false }, residential: [{ type: '02', share: 1 }] },
  { key: 'foyer-hebergement', name: 'Hébergement en foyer pour travailleurs handicapés', champ: '04', activite: '298', careMode: '46', typeOffre: '96', ageRange: [18, 65], publics: ['02'], receptionType: '02', pole: 'medecine', service: svc('hebergement', 'Hébergement'), capacity: { nature: '02', min: 15, max: 40, live: false }, residential: [{ type: '02', share: 0.8 }, { type: '03', share: 0.2 }] },
  { key: 'savs', name: 'Accompagnement à la vie sociale (SAVS)', champ: '04', activite: '312', careMode: '49', typeOffre: '31', ageRange: [18, 120], publics: ['02'], pole: 'medecine', service: svc('accompagnement', 'Accompagnement'), capacity: { nature: '02', min: 20, max: 60, live: false } },
  { key: 'samsah', name: 'Accompagnement médico-social à domicile (SAMSAH)', champ: '04', activite: '285', careMode: '49', typeOffre: '32', ageRange: [18, 120], publics: ['02'], pole: 'medecine', service: svc('accompagnement', 'Accompagnement'), capacity: { nature: '02', min: 15, max: 40, live: false } },
];

const BY_KEY = new Map(TEMPLATES.map((t) => [t.key, t]));
if (BY_KEY.size !== TEMPLATES.length) throw new Error('Offer catalogue: duplicate template key');

export function allOfferTemplates(): readonly OfferTemplate[] {
  return TEMPLATES;
}

export function offerTemplate(key: string): OfferTemplate {
  const t = BY_KEY.get(key);
  if (!t) throw new Error(`Unknown offer template "${key}"`);
  return t;
}

/** An offer a structure runs with probability `p` (default 1); a profile's first offer is always run. */
export interface ProfileOffer {
  key: string;
  p?: number;
}

/**
 * A further activité opérationnelle of a structure's main (first) offer, run with probability `p`: the IG allows
 * one activité per HealthcareService, so each is an offer of its own, with the main offer's champ, mode, type
 * d'offre and patientèle (médico-social structures describe their soins, restauration, vie sociale… this way).
 */
export interface ProfileActivity {
  /** readable id part, distinct from every template key */
  key: string;
  name: string;
  /** JDV_J17 code */
  activite: string;
  p: number;
}

export type ProfileKey =
  | 'chu'
  | 'ch'
  | 'hopital-proximite'
  | 'chs'
  | 'psy-adulte'
  | 'psy-enfant'
  | 'psy-accueil-familial'
  | 'psy-appartement'
  | 'clinique'
  | 'smr'
  | 'usld'
  | 'cancerologie'
  | 'irm'
  | 'scanner'
  | 'scintigraphie'
  | 'had'
  | 'smur'
  | 'orthogenie'
  | 'coordination'
  | 'msp'
  | 'centre-sante'
  | MedicoSocialCategory;

/** FINESS categories (JDV_J55) of the médico-social structures generated (CNSA categories). */
export type MedicoSocialCategory =
  | '500'
  | '202'
  | '354'
  | '460'
  | '183'
  | '182'
  | '186'
  | '190'
  | '255'
  | '448'
  | '246'
  | '382'
  | '252'
  | '446'
  | '445';

export interface StructureProfile {
  key: ProfileKey;
  offers: readonly ProfileOffer[];
  activities: readonly ProfileActivity[];
  /**
   * Probability that each inpatient offer with practitioners also runs external consultations (an offer of
   * its own: same activité, mode 32 consultation, type d'offre 69).
   */
  consultations: number;
  /** Internal organisation (Organization OI): pôles and services, pôles only, or none (offers hang on the EG). */
  organisation: 'poles-services' | 'poles' | 'none';
  /** Practitioners (PractitionerRole) per offer having a specialty: [min, max]. */
  practitioners: readonly [number, number];
  /** JDV_J217 mode d'exercice of the practitioners: S salarié, L libéral. */
  exerciseMode: 'S' | 'L';
  /** Size multiplier range applied to the catalogue capacity ranges. */
  size: readonly [number, number];
}

type Defaulted = 'activities' | 'consultations' | 'organisation' | 'practitioners' | 'exerciseMode' | 'size';
type ProfileSpec = Omit<StructureProfile, 'key' | Defaulted> & Partial<Pick<StructureProfile, Defaulted>>;

const act = (key: string, name: string, activite: string, p: number): ProfileActivity => ({ key, name, activite, p });
const SOINS_MEDICAUX = (p: number): ProfileActivity => act('soins-medicaux', 'Soins médicaux', '285', p);
const SOINS_INFIRMIERS = (p: number): ProfileActivity => act('soins-infirmiers', 'Soins infirmiers', '287', p);
const SOINS_HYGIENE = (p: number): ProfileActivity => act('soins-hygiene', 'Soins d’hygiène', '288', p);
const SUIVI_PSY = (p: number): ProfileActivity => act('suivi-psychologique', 'Suivi psychologique', '289', p);
const LANGAGE = (p: number): ProfileActivity => act('langage-communication', 'Rééducation du langage et de la communication', '290', p);
const MOBILITE = (p: number): ProfileActivity => act('mobilite', 'Rééducation et réadaptation de la mobilité', '291', p);
const AVQ = (p: number): ProfileActivity => act('vie-quotidienne', 'Accompagnement dans les actes de la vie quotidienne', '293', p);
const LOGEMENT = (p: number): ProfileActivity => act('logement', 'Accompagnement pour vivre dans un logement', '298', p);
const DOMESTIQUE = (p: number): ProfileActivity => act('activites-domestiques', 'Aide aux activités domestiques', '299', p);
const SCOLARISATION = (p: number): ProfileActivity => act('scolarisation', 'Accompagnement à la scolarisation', '300', p);
const VIE_PRO = (p: number): ProfileActivity => act('preparation-vie-professionnelle', 'Préparation à la vie professionnelle', '302', p);
const EMPLOI = (p: number): ProfileActivity => act('recherche-emploi', 'Accompagnement à la recherche d’un emploi', '303', p);
const ACTIVITE_PRO = (p: number): ProfileActivity => act('accompagnement-professionnel', 'Accompagnement dans l’activité professionnelle', '305', p);
const LIEN_SOCIAL = (p: number): ProfileActivity => act('lien-social', 'Maintien du lien social', '312', p);
const LOISIRS = (p: number): ProfileActivity => act('loisirs', 'Activités sociales, culturelles et de loisirs', '313', p);
const BIEN_ETRE = (p: number): ProfileActivity => act('bien-etre', 'Activités de bien-être', '314', p);
const DROITS = (p: number): ProfileActivity => act('acces-droits', 'Information et accès aux droits', '317', p);
const BUDGET = (p: number): ProfileActivity => act('gestion-budget', 'Aide à la gestion du budget', '318', p);
const RESTAURATION = (p: number): ProfileActivity => act('restauration', 'Restauration', '322', p);
const LINGE = (p: number): ProfileActivity => act('entretien-linge', 'Entretien du linge', '323', p);
const TRANSPORT = (p: number): ProfileActivity => act('transport', 'Organisation du transport', '324', p);
const COORDINATION_SOINS = (p: number): ProfileActivity => act('coordination-soins', 'Coordination du plan de soins', '340', p);

const SPECS: Record<ProfileKey, ProfileSpec> = {
  chu: {
    organisation: 'poles-services',
    consultations: 0.9,
    practitioners: [2, 5],
    size: [1.3, 2],
    offers: [
      { key: 'medecine-polyvalente' }, { key: 'cardiologie' }, { key: 'neurologie' }, { key: 'pneumologie' },
      { key: 'gastro-enterologie' }, { key: 'geriatrie-aigue' }, { key: 'oncologie' }, { key: 'hdj-chimiotherapie' },
      { key: 'chirurgie-orthopedique' }, { key: 'chirurgie-viscerale' }, { key: 'urologie' }, { key: 'chirurgie-ambulatoire' },
      { key: 'maternite' }, { key: 'neonatologie' }, { key: 'pediatrie' }, { key: 'addictologie', p: 0.5 },
      { key: 'usmp', p: 0.5 }, { key: 'irm' }, { key: 'scanner' }, { key: 'scintigraphie', p: 0.7 },
      { key: 'consultations-medecine' }, { key: 'smur' },
    ],
  },
  ch: {
    organisation: 'poles',
    consultations: 0.7,
    practitioners: [2, 5],
    size: [0.7, 1.3],
    offers: [
      { key: 'medecine-polyvalente' }, { key: 'cardiologie', p: 0.8 }, { key: 'pneumologie', p: 0.5 },
      { key: 'gastro-enterologie', p: 0.5 }, { key: 'geriatrie-aigue', p: 0.7 }, { key: 'chirurgie-orthopedique', p: 0.8 },
      { key: 'chirurgie-viscerale', p: 0.8 }, { key: 'chirurgie-ambulatoire', p: 0.8 }, { key: 'maternite', p: 0.7 },
      { key: 'pediatrie', p: 0.6 }, { key: 'smr-polyvalent', p: 0.7 }, { key: 'usld', p: 0.4 }, { key: 'had', p: 0.3 },
      { key: 'psy-hc-adulte', p: 0.3 }, { key: 'scanner', p: 0.8 }, { key: 'irm', p: 0.5 }, { key: 'consultations-medecine' },
      { key: 'usmp', p: 0.1 },
    ],
  },
  'hopital-proximite': {
    organisation: 'poles',
    practitioners: [0, 1],
    size: [0.5, 0.9],
    offers: [
      { key: 'medecine-polyvalente' }, { key: 'smr-polyvalent', p: 0.8 }, { key: 'smr-geriatrique', p: 0.4 },
      { key: 'usld', p: 0.6 }, { key: 'consultations-medecine', p: 0.7 }, { key: 'hebergement-permanent', p: 0.5 },
    ],
  },
  chs: {
    organisation: 'poles',
    consultations: 0.5,
    practitioners: [1, 3],
    size: [0.8, 1.6],
    offers: [
      { key: 'psy-hc-adulte' }, { key: 'psy-hdj-adulte' }, { key: 'psy-cmp-adulte' }, { key: 'pedopsy-hc', p: 0.5 },
      { key: 'pedopsy-hdj', p: 0.7 }, { key: 'gerontopsychiatrie', p: 0.5 }, { key: 'psy-accueil-familial', p: 0.4 },
      { key: 'smr-addictologie', p: 0.2 },
    ],
  },
  'psy-adulte': { offers: [{ key: 'psy-cmp-adulte' }, { key: 'psy-hdj-adulte', p: 0.5 }, { key: 'psy-cattg-adulte', p: 0.5 }], size: [0.6, 1] },
  'psy-enfant': { offers: [{ key: 'pedopsy-cmp' }, { key: 'pedopsy-hdj', p: 0.7 }], size: [0.6, 1] },
  'psy-accueil-familial': { offers: [{ key: 'psy-accueil-familial' }] },
  'psy-appartement': { offers: [{ key: 'psy-appartement' }] },
  clinique: {
    organisation: 'poles',
    consultations: 0.6,
    practitioners: [1, 3],
    size: [0.6, 1.2],
    offers: [
      { key: 'medecine-polyvalente', p: 0.6 }, { key: 'cardiologie', p: 0.3 }, { key: 'chirurgie-orthopedique', p: 0.8 },
      { key: 'chirurgie-viscerale', p: 0.7 }, { key: 'urologie', p: 0.4 }, { key: 'chirurgie-ambulatoire' },
      { key: 'maternite', p: 0.3 }, { key: 'oncologie', p: 0.2 }, { key: 'hdj-chimiotherapie', p: 0.3 }, { key: 'scanner', p: 0.3 },
    ],
  },
  smr: {
    practitioners: [0, 1],
    size: [0.6, 1.2],
    offers: [
      { key: 'smr-polyvalent' }, { key: 'smr-locomoteur', p: 0.5 }, { key: 'smr-neurologique', p: 0.3 },
      { key: 'smr-cardiovasculaire', p: 0.3 }, { key: 'smr-geriatrique', p: 0.4 }, { key: 'smr-hdj', p: 0.5 },
    ],
  },
  usld: { offers: [{ key: 'usld' }], size: [0.6, 1.2] },
  cancerologie: {
    organisation: 'poles',
    consultations: 0.8,
    practitioners: [2, 3],
    offers: [{ key: 'oncologie' }, { key: 'hdj-chimiotherapie' }, { key: 'chirurgie-carcinologique' }, { key: 'radiotherapie' }, { key: 'scintigraphie', p: 0.5 }],
  },
  irm: { offers: [{ key: 'irm' }] },
  scanner: { offers: [{ key: 'scanner' }] },
  scintigraphie: { offers: [{ key: 'scintigraphie' }] },
  had: { offers: [{ key: 'had' }], size: [0.8, 1.5] },
  smur: { offers: [{ key: 'smur' }] },
  orthogenie: { offers: [{ key: 'orthogenie' }] },
  coordination: { offers: [{ key: 'coordination-parcours' }] },
  msp: {
    practitioners: [2, 6],
    exerciseMode: 'L',
    offers: [{ key: 'medecine-generale' }, { key: 'soins-infirmiers-ville', p: 0.8 }, { key: 'kinesitherapie-ville', p: 0.6 }, { key: 'pediatrie-ville', p: 0.2 }],
  },
  'centre-sante': {
    practitioners: [2, 6],
    offers: [{ key: 'medecine-generale' }, { key: 'dentaire', p: 0.6 }, { key: 'soins-infirmiers-ville', p: 0.7 }],
  },

  '500': {
    size: [0.7, 1.2],
    offers: [{ key: 'hebergement-permanent' }, { key: 'hebergement-temporaire', p: 0.6 }, { key: 'unite-vie-protegee', p: 0.4 }, { key: 'pasa', p: 0.3 }],
    activities: [
      SOINS_MEDICAUX(0.9), SOINS_INFIRMIERS(0.9), SOINS_HYGIENE(0.7), MOBILITE(0.5), SUIVI_PSY(0.5), RESTAURATION(0.8), LINGE(0.6),
      LOISIRS(0.8), LIEN_SOCIAL(0.5), BIEN_ETRE(0.5),
    ],
  },
  '202': { size: [0.7, 1.2], offers: [{ key: 'residence-autonomie' }], activities: [RESTAURATION(0.8), LOISIRS(0.8), LIEN_SOCIAL(0.6), AVQ(0.4), TRANSPORT(0.3), DROITS(0.4), BIEN_ETRE(0.4)] },
  '354': { size: [0.7, 1.3], offers: [{ key: 'ssiad' }], activities: [SOINS_HYGIENE(0.9), COORDINATION_SOINS(0.6), LIEN_SOCIAL(0.3)] },
  '460': { offers: [{ key: 'aide-domicile' }], activities: [DOMESTIQUE(0.9), RESTAURATION(0.4), TRANSPORT(0.3), LIEN_SOCIAL(0.5), LINGE(0.4)] },
  '183': {
    size: [0.7, 1.2],
    offers: [{ key: 'ime' }, { key: 'sessad', p: 0.3 }],
    activities: [SOINS_MEDICAUX(0.9), LANGAGE(0.7), AVQ(0.8), VIE_PRO(0.5), LOISIRS(0.6), SUIVI_PSY(0.7), MOBILITE(0.5)],
  },
  '182': { size: [0.7, 1.2], offers: [{ key: 'sessad' }], activities: [LANGAGE(0.7), MOBILITE(0.5), SUIVI_PSY(0.6), AVQ(0.5), LOISIRS(0.3)] },
  '186': { size: [0.7, 1.2], offers: [{ key: 'itep' }], activities: [SCOLARISATION(0.9), SUIVI_PSY(0.8), LOISIRS(0.5), AVQ(0.5), LIEN_SOCIAL(0.4)] },
  '190': { offers: [{ key: 'camsp' }], activities: [LANGAGE(0.8), MOBILITE(0.7), SUIVI_PSY(0.7), SOINS_MEDICAUX(0.6)] },
  '255': { size: [0.8, 1.2], offers: [{ key: 'mas' }], activities: [SOINS_MEDICAUX(0.9), SOINS_INFIRMIERS(0.9), SOINS_HYGIENE(0.7), MOBILITE(0.7), BIEN_ETRE(0.6), LOISIRS(0.7), RESTAURATION(0.6), LINGE(0.5)] },
  '448': { size: [0.8, 1.2], offers: [{ key: 'eam' }], activities: [AVQ(0.9), SOINS_INFIRMIERS(0.8), MOBILITE(0.5), LOISIRS(0.7), LIEN_SOCIAL(0.5), RESTAURATION(0.5)] },
  '246': { size: [0.7, 1.3], offers: [{ key: 'esat' }], activities: [ACTIVITE_PRO(0.8), VIE_PRO(0.6), RESTAURATION(0.5), LIEN_SOCIAL(0.4), LOISIRS(0.3), DROITS(0.3)] },
  '382': { size: [0.8, 1.2], offers: [{ key: 'foyer-de-vie' }], activities: [AVQ(0.9), LIEN_SOCIAL(0.8), BIEN_ETRE(0.5), RESTAURATION(0.6), SOINS_INFIRMIERS(0.4), LINGE(0.4)] },
  '252': { size: [0.8, 1.2], offers: [{ key: 'foyer-hebergement' }], activities: [DOMESTIQUE(0.7), LIEN_SOCIAL(0.7), BUDGET(0.5), RESTAURATION(0.6), LOISIRS(0.5), ACTIVITE_PRO(0.3)] },
  '446': { size: [0.8, 1.2], offers: [{ key: 'savs' }], activities: [LOGEMENT(0.7), BUDGET(0.6), DROITS(0.5), EMPLOI(0.3), LOISIRS(0.5), VIE_PRO(0.3)] },
  '445': { size: [0.8, 1.2], offers: [{ key: 'samsah' }], activities: [SOINS_INFIRMIERS(0.8), LIEN_SOCIAL(0.7), LOGEMENT(0.5), MOBILITE(0.5), SUIVI_PSY(0.5), AVQ(0.6)] },
};

const PROFILES = Object.fromEntries(
  (Object.entries(SPECS) as [ProfileKey, ProfileSpec][]).map(([key, spec]) => [
    key,
    { key, activities: [], consultations: 0, organisation: 'none', practitioners: [0, 0], exerciseMode: 'S', size: [1, 1], ...spec } satisfies StructureProfile,
  ]),
) as Record<ProfileKey, StructureProfile>;

export function structureProfile(key: ProfileKey): StructureProfile {
  return PROFILES[key];
}

export function allStructureProfiles(): readonly StructureProfile[] {
  return Object.values(PROFILES);
}

/** Médico-social categories: display prefix of generated names, and who runs them. */
export interface MedicoSocialKind {
  category: MedicoSocialCategory;
  /** Short name used in generated structure names ("EHPAD Les Tilleuls"). */
  prefix: string;
  /** PA: personnes âgées, PH: personnes handicapées, DOM: services à domicile (CNSA domains). */
  domain: 'PA' | 'PH' | 'DOM';
}

export const MEDICO_SOCIAL_KINDS: readonly MedicoSocialKind[] = [
  { category: '500', prefix: 'EHPAD', domain: 'PA' },
  { category: '202', prefix: 'Résidence autonomie', domain: 'PA' },
  { category: '354', prefix: 'SSIAD', domain: 'DOM' },
  { category: '460', prefix: 'Service d’aide à domicile', domain: 'DOM' },
  { category: '183', prefix: 'IME', domain: 'PH' },
  { category: '182', prefix: 'SESSAD', domain: 'PH' },
  { category: '186', prefix: 'ITEP', domain: 'PH' },
  { category: '190', prefix: 'CAMSP', domain: 'PH' },
  { category: '255', prefix: 'MAS', domain: 'PH' },
  { category: '448', prefix: 'EAM', domain: 'PH' },
  { category: '246', prefix: 'ESAT', domain: 'PH' },
  { category: '382', prefix: 'Foyer de vie', domain: 'PH' },
  { category: '252', prefix: 'Foyer d’hébergement', domain: 'PH' },
  { category: '446', prefix: 'SAVS', domain: 'PH' },
  { category: '445', prefix: 'SAMSAH', domain: 'PH' },
];
