import type { Prng } from './prng.ts';

/** Residence-style names for generated médico-social structures ("EHPAD Les Tilleuls"). */
const PLACE_NAMES = [
  'Les Tilleuls', 'Les Glycines', 'Le Clos Fleuri', 'Les Charmilles', 'La Roseraie', 'Les Hortensias', 'Le Val Fleuri',
  'Les Acacias', 'Les Magnolias', 'La Chênaie', 'Les Mimosas', 'Le Parc', 'Les Lilas', 'Bel Air', 'Les Primevères',
  'Les Cèdres', 'Les Peupliers', 'La Source', 'Les Coteaux', 'Le Verger', 'Les Jardins', 'La Prairie', 'Les Bruyères',
  'Le Bocage', 'Les Saules', 'Les Érables', 'La Clairière', 'Les Iris', 'Les Camélias', 'Le Moulin', 'Les Ormeaux',
  'La Fontaine', 'Les Vignes', 'Le Logis', 'Les Églantines', 'La Pommeraie', 'Les Marronniers', 'Le Prieuré',
  'Les Genêts', 'Les Noisetiers', 'Les Myosotis', 'La Colline', 'Les Aubépines', 'Le Petit Bois', 'Les Bleuets',
];

const STREETS: readonly { type: string; label: string; base: string }[] = [
  { type: 'R', label: 'Rue', base: 'des Écoles' },
  { type: 'AV', label: 'Avenue', base: 'de la Gare' },
  { type: 'R', label: 'Rue', base: 'du Stade' },
  { type: 'CHE', label: 'Chemin', base: 'des Prés' },
  { type: 'ALL', label: 'Allée', base: 'des Tilleuls' },
  { type: 'R', label: 'Rue', base: 'de la Mairie' },
  { type: 'PL', label: 'Place', base: 'de l’Église' },
  { type: 'R', label: 'Rue', base: 'Pasteur' },
  { type: 'R', label: 'Rue', base: 'Victor Hugo' },
  { type: 'R', label: 'Rue', base: 'Jean Jaurès' },
  { type: 'IMP', label: 'Impasse', base: 'des Lilas' },
  { type: 'BD', label: 'Boulevard', base: 'de la République' },
  { type: 'RTE', label: 'Route', base: 'de la Forêt' },
  { type: 'R', label: 'Rue', base: 'du Général de Gaulle' },
  { type: 'R', label: 'Rue', base: 'des Acacias' },
];

const GIVEN_F = ['Marie', 'Sophie', 'Camille', 'Julie', 'Claire', 'Anne', 'Isabelle', 'Émilie', 'Laure', 'Nathalie', 'Céline', 'Hélène', 'Sarah', 'Léa', 'Manon', 'Chloé', 'Pauline', 'Aurélie', 'Caroline', 'Valérie'];
const GIVEN_M = ['Pierre', 'Nicolas', 'Thomas', 'Julien', 'Antoine', 'François', 'Philippe', 'Olivier', 'Mathieu', 'Laurent', 'Sébastien', 'Guillaume', 'Vincent', 'Jérôme', 'Alexandre', 'Hugo', 'Louis', 'Paul', 'Yann', 'Éric'];
const FAMILY = [
  'Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent',
  'Lefebvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel', 'Girard', 'André', 'Mercier',
  'Dupont', 'Lambert', 'Bonnet', 'François', 'Martinez', 'Legrand', 'Garnier', 'Faure', 'Rousseau', 'Blanc', 'Guérin',
  'Muller', 'Henry', 'Roussel', 'Nicolas', 'Perrin', 'Morin', 'Mathieu', 'Clément', 'Gauthier', 'Dumont', 'Lopez',
  'Fontaine', 'Chevalier', 'Robin', 'Masson', 'Sanchez', 'Gérard', 'Nguyen', 'Boyer', 'Denis', 'Lemaire', 'Duval',
  'Joly', 'Gautier', 'Roger', 'Roche', 'Roy', 'Noël', 'Meyer', 'Lucas', 'Meunier', 'Jean', 'Perez', 'Marchand', 'Dufour',
  'Blanchard', 'Marie', 'Barbier', 'Brun', 'Dumas', 'Brunet', 'Schmitt', 'Leroux', 'Colin', 'Fernandez', 'Pierre',
  'Renard', 'Arnaud', 'Rolland', 'Caron', 'Aubert', 'Giraud', 'Leclerc', 'Vidal', 'Bourgeois', 'Renaud', 'Lemoine',
  'Picard', 'Gaillard', 'Philippe', 'Leclercq', 'Lacroix', 'Fabre', 'Dupuis', 'Olivier', 'Rodriguez', 'Da Silva',
  'Hubert', 'Louis', 'Charles', 'Guillot', 'Rivière', 'Le Gall', 'Guillaume', 'Adam', 'Rey', 'Moulin', 'Gonzalez',
  'Berger', 'Lecomte', 'Menard', 'Fleury', 'Deschamps', 'Carpentier', 'Julien', 'Benoit', 'Paris', 'Maillard',
  'Marchal', 'Aubry', 'Vasseur', 'Le Roux', 'Renault', 'Jacquet', 'Collet', 'Prévost', 'Poirier', 'Charpentier',
  'Royer', 'Huet', 'Baron', 'Dupuy', 'Pons', 'Paul', 'Laine', 'Carré', 'Breton', 'Rémy', 'Schneider', 'Perrot', 'Guyot',
  'Barre', 'Marty', 'Cousin', 'Le Goff', 'Tessier', 'Bouvier', 'Guichard', 'Pasquier', 'Bigot', 'Hamon', 'Jouan',
];

export function placeName(rng: Prng): string {
  return rng.pick(PLACE_NAMES);
}

export interface StreetAddress {
  houseNumber: string;
  streetNameType: string;
  streetNameBase: string;
  text: string;
}

export function streetAddress(rng: Prng): StreetAddress {
  const s = rng.pick(STREETS);
  const houseNumber = String(rng.int(1, 120));
  return { houseNumber, streetNameType: s.type, streetNameBase: s.base, text: `${houseNumber} ${s.label} ${s.base}` };
}

export interface PersonName {
  /** JDV_J207 civilité */
  civilite: 'M' | 'MME';
  given: string;
  family: string;
}

export function personName(rng: Prng): PersonName {
  const female = rng.chance(0.52);
  return { civilite: female ? 'MME' : 'M', given: rng.pick(female ? GIVEN_F : GIVEN_M), family: rng.pick(FAMILY) };
}
