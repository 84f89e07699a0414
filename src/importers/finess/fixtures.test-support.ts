/**
 * Test fixtures: real lines of the FINESS etalab extractions of 2026-05-12 (Licence Ouverte, quoted in
 * shared/docs/finess-geo.md §1.10) plus hand-made lines in the same format, and helpers writing them to
 * temporary files.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REAL_ET = {
  fleyriat:
    'structureet;010000024;010780054;CH DE FLEYRIAT;CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT;;;900;RTE;DE PARIS;;;451;01;AIN;01440 VIRIAT;0474454647;0474454114;355;Centre Hospitalier (C.H.);1102;Centres Hospitaliers;26010004500012;8610Z;03;ARS établissements Publics de santé dotation globale;1;Etablissement public de santé;1979-02-13;1979-02-13;2020-02-04;',
  felixGuyon:
    'structureet;970400024;970408589;CHU SITE FELIX GUYON (SAINT DENIS);CHU SITE FELIX GUYON (SAINT DENIS);;;;ALL;DES TOPAZES;;CS 11021;411;9D;LA REUNION;97405 ST DENIS CEDEX;0262905050;0262905051;101;Centre Hospitalier Régional (C.H.R.);1101;Centres Hospitaliers Régionaux;20003001300011;8610Z;03;ARS établissements Publics de santé dotation globale;1;Etablissement public de santé;1957-07-01;1957-07-01;2023-11-13;',
  ehpadCayenne:
    "structureet;970302287;970302022;E.H.P.A.D. EDMAR LAMA DE CAYENNE;E.H.P.A.D. DU CENTRE HOSPITALIER DE CAYENNE;;;;AV;ALEXIS BLAISE;;BP 6006;302;9C;GUYANE;97306 CAYENNE CEDEX;0594395050;0594305150;500;Etablissement d'hébergement pour personnes âgées dépendantes;4401;Etablissements d'Hébergement pour Personnes Âgées;;8710A;40;ARS/PCD, Tarif global, habilité aide sociale, recours PUI;;;1988-05-02;2017-01-03;2024-04-22;",
  mavouna:
    'structureet;980501506;980501498;"LIEU DE VIE ""MAVOUNA MEMA 1""";"LIEU DE VIE ET D\'ACCUEIL ""MAVOUNA MEMA 1""";ASSOCIATION MESSO;;12;R;ANCIEN TERRAIN DE FOOT;;;606;9F;MAYOTTE;97620 CHIRONGUI;0269666815;;462;Lieux de Vie et d\'Accueil;4605;Etablissements et services multi-clientèles;82967998400015;;08;Président du Conseil Départemental;;;2019-04-01;2019-03-18;2025-05-07;',
} as const;

export const REAL_GEO = {
  fleyriat: 'geolocalisation;010000024;870262.2;6571540.8;1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole);2026-05-04',
  guadeloupe: 'geolocalisation;970100012;657242.9;1795384.4;2,ATLASANTE,96,BAN,EPSG:5490 RGAF09/UTM Zone 20N (Antilles);2026-05-04',
} as const;

/** Hand-made geolocation lines with the control values of finess-geo.md §2.1. */
export const GEO = {
  felixGuyon: 'geolocalisation;970400024;323086.6;7679599.8;1,ATLASANTE,96,BAN,EPSG:2975 RGR92 / UTM zone 40S (Réunion);2026-05-04',
  cayenne: 'geolocalisation;970302287;353672.8;544349.1;1,ATLASANTE,96,BAN,EPSG:2972 RGFG95 / UTM zone 22N (Guyane);2026-05-04',
  mavouna: 'geolocalisation;980501506;524819.9;8587194.7;2,ATLASANTE,100,BDADRESSE,EPSG:4471 RGM04/UTM zone 38S (Mayotte);2026-05-04',
} as const;

/** Entités juridiques (cs1100501 order) for the établissements above; hand-made in the real format. */
export const EJ = {
  bourg:
    'structureej;010780054;CH DE BOURG EN BRESSE;CENTRE HOSPITALIER DE BOURG-EN-BRESSE;;900;RTE;DE PARIS;;;;451;01440 VIRIAT;01;AIN;0474454647;13;Etablissement Public Communal d\'Hospitalisation;355;Centre Hospitalier (C.H.);260100045;8610Z;1979-02-13',
  chuReunion:
    'structureej;970408589;CHU DE LA REUNION;CENTRE HOSPITALIER UNIVERSITAIRE DE LA REUNION;;;ALL;DES TOPAZES;;;CS 11021;411;97405 ST DENIS CEDEX;9D;LA REUNION;0262905050;14;Etablissement Public Régional d\'Hospitalisation;101;Centre Hospitalier Régional (C.H.R.);200030013;8610Z;2012-01-01',
  chCayenne:
    'structureej;970302022;CH ANDREE ROSEMON;CENTRE HOSPITALIER ANDREE ROSEMON DE CAYENNE;;;AV;DES FLAMBOYANTS;;;;302;97306 CAYENNE CEDEX;9C;GUYANE;0594395050;13;Etablissement Public Communal d\'Hospitalisation;355;Centre Hospitalier (C.H.);269730014;8610Z;1970-01-01',
  messo:
    'structureej;980501498;ASSOCIATION MESSO;ASSOCIATION MESSO;;12;R;ANCIEN TERRAIN DE FOOT;;;;606;97620 CHIRONGUI;9F;MAYOTTE;0269666815;60;Association Loi 1901 non Reconnue d\'Utilité Publique;;;829679984;8899B;2017-03-01',
} as const;

export const HEADER = 'finess;etalab;98;2026-05-12';

/** A cs1100507 file: metadata line, structureet lines, then geolocalisation lines. */
export function et507(ets: readonly string[], geos: readonly string[], header = HEADER): string {
  return `${[header, ...ets, ...geos].join('\n')}\n`;
}

export function ej501(ejs: readonly string[], header = 'finess;etalab;106;2026-05-12'): string {
  return `${[header, ...ejs].join('\n')}\n`;
}

export interface TempDir {
  path: string;
  write(name: string, content: string | Uint8Array): Promise<string>;
  remove(): Promise<void>;
}

export async function tempDir(): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), 'ror-finess-'));
  return {
    path,
    async write(name, content) {
      const file = join(path, name);
      await writeFile(file, content);
      return file;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

/**
 * A FINESS+ JSON structures document shaped like the published sample
 * (ansforge/finess `exemple-finess-structures-journalier-20260309.json`), with some of its records:
 * Clinique Convert (coordinates with the X/Y swap), a closed EJ, an EJ closed with an open EHPAD, and
 * Wallis-et-Futuna (no coordinates, no ROR region).
 */
export function finessPlusDocument(): Record<string, unknown> {
  const coords = (x: string, y: string, lat: string, lon: string) => ({
    coordonneeX: x,
    coordonneeY: y,
    directionLatitude: lat,
    directionLongitude: lon,
    cleInInteropBAN: '01053_1950_00062',
    scoreBAN: '0.97',
  });
  return {
    schemaVersion: 'v1.0.0',
    generatedAt: '2026-03-09T15:49:37.615611300Z',
    gcc: [{ gccId: '1', nomGcc: "21-52 Côte d'Or-Haute-Marne", typeGcc: '001', pmejDuGcc: [{ pmSmsseId: '14869', typeRoleEntiteGroupe: 'M' }] }],
    gco: [{ pmSmsseId: '403', typeGco: '003', pmejDuGco: [], egeDuGco: [] }],
    pmej: [
      {
        informationsGeneralesPMEJ: {
          pmSmsseId: '1',
          codeApe: '87.10A',
          dateCreation: '1994-01-01',
          dateFermeture: '2019-03-03',
          denominationLonguePmSmsse: 'MAISON DE RETRAITE RESIDENCE DES ANCIENS - DIVONNE-LES-BAINS',
          denominationPm: 'MAISON DE RETRAITE - DIVONNE-LES-BAINS',
          numFinessPm: '010000016',
          siren: '260104633',
          statutJuridique: '21',
        },
        adresse: [
          {
            usageAdresse: '02',
            numeroVoie: '240',
            typeVoie: 'R',
            libelleVoie: 'GUY DE MAUPASSANT',
            cogCommune: '01143',
            ligneAcheminement: 'DIVONNE LES BAINS',
            codePostal: '01220',
            coordonneesGeographique: coords('6589480.53', '941342.52', '46.362063', '6.139885'),
          },
        ],
        contact: [{ typeContact: { roleContact: '01' }, telecom: { telephone: '0450201235' } }],
        evenement: [],
        ege: [],
        etatObjet: 'I',
        dateDerniereMaj: '2019-03-04 00:00:00',
      },
      {
        informationsGeneralesPMEJ: {
          pmSmsseId: '2',
          codeApe: '86.10Z',
          dateCreation: '2001-01-01',
          denominationLonguePmSmsse: 'CLINIQUE CONVERT',
          denominationPm: 'CLINIQUE CONVERT',
          numFinessPm: '010000156',
          siren: '772201489',
          statutJuridique: '73',
        },
        adresse: [
          {
            usageAdresse: '02',
            numeroVoie: '62',
            typeVoie: 'AV',
            libelleVoie: 'DE JASSERON',
            cogCommune: '01053',
            ligneAcheminement: 'BOURG EN BRESSE',
            codePostal: '01000',
          },
        ],
        contact: [{ typeContact: { roleContact: '01' }, telecom: { telephone: '0428631234' } }],
        evenement: [],
        ege: [
          {
            informationsGeneralesEGE: {
              egeId: '799',
              dateOuverture: '1956-11-16',
              nomEgeCourt: 'CLINIQUE CONVERT',
              nomEgeLong: 'CLINIQUE DOCTEUR CONVERT',
              numFinessEge: '010780195',
              espic: ['0'],
              siret: '77220148900022',
            },
            categorieentiteGeographiqueExercice: '365',
            modefixationtarifaire: '07',
            adresse: [
              {
                usageAdresse: '03',
                numeroVoie: '62',
                typeVoie: 'AV  ',
                libelleVoie: 'DE JASSERON',
                lieuDit: 'BP 132',
                cogCommune: '01053',
                ligneAcheminement: 'BOURG EN BRESSE',
                codePostal: '01000',
                coordonneesGeographique: { coordonneeX: '6570414.61', coordonneeY: '873766.07' },
              },
            ],
            contact: [{ typeContact: { roleContact: '01' }, telecom: { telephone: '0428631234', telecopie: '0474220192' } }],
            roleEge: [],
            etatObjet: 'A',
            dateDerniereMaj: '2021-10-18 00:00:00',
          },
        ],
        etatObjet: 'A',
        dateDerniereMaj: '2021-10-18 00:00:00',
      },
      {
        informationsGeneralesPMEJ: {
          pmSmsseId: '17',
          dateCreation: '2001-01-01',
          dateFermeture: '2026-03-02',
          denominationLonguePmSmsse: 'RESIDENCE FONTELUNE',
          denominationPm: 'RESIDENCE FONTELUNE',
          numFinessPm: '010000339',
          siren: '260100011',
          statutJuridique: '21',
        },
        adresse: [{ usageAdresse: '02', cogCommune: '01004', ligneAcheminement: 'AMBERIEU EN BUGEY', codePostal: '01500' }],
        ege: [
          {
            informationsGeneralesEGE: {
              egeId: '840',
              dateOuverture: '1909-07-04',
              nomEgeCourt: 'EHPAD RESIDENCE FONTELUNE AMBERIEU',
              nomEgeLong: 'EHPAD RÉSIDENCE FONTELUNE AMBERIEU-EN-BUGEY',
              numFinessEge: '010780906',
              siret: '26010001100014',
            },
            categorieentiteGeographiqueExercice: '500',
            adresse: [
              {
                usageAdresse: '03',
                numeroVoie: '10',
                typeVoie: 'R',
                libelleVoie: 'DE LA COMMUNE 1871',
                cogCommune: '01004',
                ligneAcheminement: 'AMBERIEU EN BUGEY',
                codePostal: '01500',
                coordonneesGeographique: coords('6543697.24', '882017.28', '45.968606', '5.350865'),
              },
            ],
            contact: [],
            etatObjet: 'A',
          },
        ],
        etatObjet: 'I',
        dateDerniereMaj: '2026-03-02 15:44:07',
      },
      {
        informationsGeneralesPMEJ: {
          pmSmsseId: '96945',
          dateCreation: '2024-10-30',
          denominationLonguePmSmsse: 'AGENCE DE SANTE DE WALLIS ET FUTUNA',
          denominationPm: 'AGENCE DE SANTE DE WALLIS ET FUTUNA',
          numFinessPm: '980600019',
          siren: '130003239',
          statutJuridique: '10',
        },
        adresse: [{ usageAdresse: '02', lieuDit: "BP 4G - MATA'ATU", cogCommune: '98613', ligneAcheminement: 'UVEA', codePostal: '98600' }],
        ege: [
          {
            informationsGeneralesEGE: {
              egeId: '170942',
              dateOuverture: '2024-10-30',
              nomEgeCourt: 'HOPITAL DE SIA',
              nomEgeLong: 'HOPITAL DE SIA',
              numFinessEge: '980600027',
              espic: ['1'],
              siret: '13000323900014',
            },
            categorieentiteGeographiqueExercice: '355',
            adresse: [{ usageAdresse: '03', lieuDit: "BP 4 - MATA'UTU", cogCommune: '98613', ligneAcheminement: 'UVEA', codePostal: '98600' }],
            etatObjet: 'A',
          },
        ],
        etatObjet: 'A',
      },
    ],
  };
}
