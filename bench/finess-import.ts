// FINESS import benchmark: generates (once) an etalab cs1100507 file of N établissements with its cs1100501
// file in the exact real format (bench/finess-gen.ts), then imports both into a fresh database.
// Usage: [DATABASE_URL=postgres://…] node --import tsx bench/finess-import.ts [N, default 103000]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { importFinessFiles } from '../src/importers/finess/index.ts';
import { createProgressReporter } from '../src/importers/progress.ts';
import { Repository } from '../src/store/repository.ts';
import { machine, openBenchDatabase } from './bench-db.ts';

const n = Number(process.argv[2] ?? 103000);
const dir = path.resolve('bench/out', `finess-${n}`);
if (!fs.existsSync(dir) || fs.readdirSync(dir).length < 2) {
  execFileSync(process.execPath, ['--import', 'tsx', 'bench/finess-gen.ts', dir, '--count', String(n)], { stdio: 'inherit' });
}
const files = fs.readdirSync(dir).map((f) => path.join(dir, f));
const bytes = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
const { db, label, drop } = await openBenchDatabase();
const repo = new Repository(db);
const started = performance.now();
const summary = await importFinessFiles(files, repo, { progress: createProgressReporter() });
const seconds = (performance.now() - started) / 1000;
const resources = summary.created + summary.updated + summary.unchanged;
console.log(`bench/finess-import — ${label}; ${machine()}`);
console.log(`${n} établissements (${(bytes / 2 ** 20).toFixed(1)} MiB in ${files.length} files): ${resources} resources, ${summary.rejected.length} rejected lines`);
console.log(`import ${seconds.toFixed(1)} s — ${Math.round(resources / seconds)} resources/s, ${Math.round(n / seconds)} établissements/s`);
const again = performance.now();
const second = await importFinessFiles(files, repo, { progress: createProgressReporter() });
console.log(`re-import of the same files ${((performance.now() - again) / 1000).toFixed(1)} s — ${second.unchanged} unchanged, ${second.created + second.updated} written`);
await drop();
