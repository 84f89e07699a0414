import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A French department (COG code: `01`…`95`, `2A`, `2B`, `971`…`976`, and the COM codes `975`, `977`…`989`). */
export interface Department {
  code: string;
  name: string;
  /** INSEE region code; for the 18 regions these are the NOS J237 (TRE_R30 RegionOM) codes, e.g. `52`. */
  region: string;
  zone: 'metro' | 'drom' | 'com';
}

export interface Region {
  code: string;
  name: string;
  zone: 'metro' | 'drom' | 'com';
}

interface Tables {
  departments: Map<string, Department>;
  regions: Map<string, Region>;
}

let tables: Tables | undefined;

function isZone(v: unknown): v is Department['zone'] {
  return v === 'metro' || v === 'drom' || v === 'com';
}

function load(): Tables {
  if (tables) return tables;
  const rawDepartments: unknown = require('@etalab/decoupage-administratif/data/departements.json');
  const rawRegions: unknown = require('@etalab/decoupage-administratif/data/regions.json');
  if (!Array.isArray(rawDepartments) || !Array.isArray(rawRegions)) {
    throw new Error('@etalab/decoupage-administratif: departements.json / regions.json are not arrays');
  }
  const departments = new Map<string, Department>();
  for (const d of rawDepartments as Record<string, unknown>[]) {
    const { code, nom, region, zone } = d;
    if (typeof code !== 'string' || typeof nom !== 'string' || typeof region !== 'string' || !isZone(zone)) {
      throw new Error(`@etalab/decoupage-administratif: unexpected department entry ${JSON.stringify(d)}`);
    }
    departments.set(code, { code, name: nom, region, zone });
  }
  const regions = new Map<string, Region>();
  for (const r of rawRegions as Record<string, unknown>[]) {
    const { code, nom, zone } = r;
    if (typeof code !== 'string' || typeof nom !== 'string' || !isZone(zone)) {
      throw new Error(`@etalab/decoupage-administratif: unexpected region entry ${JSON.stringify(r)}`);
    }
    regions.set(code, { code, name: nom, zone });
  }
  tables = { departments, regions };
  return tables;
}

export function allDepartments(): Department[] {
  return [...load().departments.values()];
}

export function allRegions(): Region[] {
  return [...load().regions.values()];
}

export function departmentByCode(code: string): Department | undefined {
  return load().departments.get(code);
}

export function regionByCode(code: string): Region | undefined {
  return load().regions.get(code);
}

/** Region code of a department; throws on an unknown department code. */
export function regionOfDepartment(departmentCode: string): string {
  const d = load().departments.get(departmentCode);
  if (!d) throw new RangeError(`Unknown department code "${departmentCode}"`);
  return d.region;
}
