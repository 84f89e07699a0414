import { parseArgs } from 'node:util';
import { AccountStore, checkProfileCode, checkRole, normalizeEmail, type Account } from './auth/accounts.ts';
import { checkClientScopes, ClientStore } from './auth/clients.ts';
import { createDemoAccounts } from './auth/demo-accounts.ts';
import { AuthError } from './auth/errors.ts';
import { resolvePerimeter } from './auth/perimeter-spec.ts';
import { CLIENT_SCOPES, PROFILE_OF_CODE } from './auth/principal.ts';
import { loadConfig, type Config } from './config.ts';
import { DataDirLockedError, openDatabase } from './db/open.ts';
import { seedDemo } from './importers/demo/index.ts';
import { importFinessFiles } from './importers/finess/index.ts';
import { createProgressReporter } from './importers/progress.ts';
import { seedSynthetic } from './importers/synthetic/index.ts';
import { startServer } from './server.ts';
import { Repository } from './store/repository.ts';

const USAGE = `Usage: ror <command> [options]

Commands:
  serve                         start the HTTP server (FHIR API on /fhir); seeds the demo dataset into an empty database,
                                with one demo account per role and a demo API client (credentials printed once)
  import finess [--partial] FILE…
                                import FINESS files (etalab cs1100501/502/505/507 CSV, FINESS+ JSON structures);
                                structures missing from a full stock are closed, unless --partial (e.g. a regional cut)
  seed --demo                   load the Pays de la Loire demo dataset
                                (and its demo accounts, when absent: their passwords are in the JSON output)
  seed --scale national|N       generate the synthetic national dataset (N = number of établissements)

  user add EMAIL --role ROLE [--perimeter ID]… [--profile CODE] [--name NAME]
                                create an account; prints {"email","password"} (generated password, shown once)
  user password EMAIL           set a new generated password (ends the account's sessions); prints {"email","password"}
  user disable EMAIL            disable an account (ends its sessions); user enable EMAIL undoes it
  user list                     one JSON line per account
  client add NAME --scope SCOPE… [--perimeter ID]… [--profile CODE]…
                                create an API client; prints {"client_id","client_secret"} (secret shown once)
  client disable CLIENT_ID      disable an API client (its tokens stop working at once)
  client list                   one JSON line per API client
  help                          show this help

Roles and their perimeter (--perimeter, repeatable or comma-separated):
  national-admin                none: everything
  regional-admin                region codes (JDV_J237), e.g. 52
  referent                      Organization ids (eg-440000271, Organization/ej-440000289) or FINESS numbers
  capacity-operator             Location or HealthcareService ids (Location/…, HealthcareService/…, or a bare id)
  reader                        none, or any of the above
API client scopes: ${CLIENT_SCOPES.join(', ')}. A client's perimeter is any of the ids above; a client without a
perimeter may only read, so a write scope requires one.
Access profiles (--profile, JDV_J68): ${Object.keys(PROFILE_OF_CODE).join(', ')}; default per role (CU22 for
administrators, CU18 otherwise), CU18 for clients (a client may be granted several; the first is its default).

Exit codes: 64 bad usage or value, 65 conflict (e.g. the account exists), 67 unknown account or client,
75 embedded database held by another process.

Environment: DATABASE_URL (PostgreSQL server; default: embedded database in DATA_DIR=./.data), PORT (3000), HOST,
LOG_LEVEL, AUTH_SECRET (signing keys; default: generated and kept in the database), SESSION_IDLE_MINUTES (120),
SESSION_ABSOLUTE_HOURS (12), TOKEN_TTL_SECONDS (900), RATE_LIMIT_PER_MINUTE (1200), CORS_ORIGINS, TRUST_PROXY,
OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI, OIDC_SCOPES, OIDC_LABEL.`;

class UsageError extends Error {}

/** Where a command writes: the process's streams, or a test's buffers. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

const PROCESS_OUTPUT: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export async function main(argv: string[], io: Output = PROCESS_OUTPUT): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  try {
    switch (command) {
      case 'serve':
        return await serve(config, io);
      case 'import':
        return await importCommand(config, rest, io);
      case 'seed':
        return await seedCommand(config, rest, io);
      case 'user':
        return await userCommand(config, rest, io);
      case 'client':
        return await clientCommand(config, rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(`${USAGE}\n`);
        return 0;
      default:
        throw new UsageError(`Unknown command "${command}"`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`ror: ${(err as Error).message}\n\n${USAGE}\n`);
      return 64;
    }
    if (err instanceof UsageError) {
      io.err(`ror: ${err.message}\n\n${USAGE}\n`);
      return 64;
    }
    if (err instanceof AuthError) {
      io.err(`ror: ${err.message}\n`);
      return err.status === 404 ? 67 : err.status === 409 ? 65 : 64;
    }
    if (err instanceof DataDirLockedError) {
      io.err(`ror: ${err.message}\n`);
      return 75;
    }
    throw err;
  }
}

async function serve(config: Config, io: Output): Promise<number> {
  const server = await startServer(config);
  io.err(`ROR listening on ${server.url} (FHIR base ${server.url}/fhir, database: ${server.db.kind})\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  return 0;
}

async function withRepository<T>(config: Config, fn: (repo: Repository) => Promise<T>): Promise<T> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await fn(new Repository(db));
  } finally {
    await db.close();
  }
}

async function importCommand(config: Config, args: string[], io: Output): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { partial: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const [source, ...files] = positionals;
  if (source !== 'finess') throw new UsageError(`Unknown import source "${source ?? ''}" (expected: finess)`);
  if (files.length === 0) throw new UsageError('import finess needs at least one FILE');
  const closeMissing = values.partial !== true;
  const summary = await withRepository(config, (repo) => importFinessFiles(files, repo, { progress: createProgressReporter(), closeMissing }));
  io.out(`${JSON.stringify(summary, null, 2)}\n`);
  return 0;
}

async function seedCommand(config: Config, args: string[], io: Output): Promise<number> {
  const { values } = parseArgs({ args, options: { demo: { type: 'boolean' }, scale: { type: 'string' } }, strict: true });
  if (values.demo === Boolean(values.scale)) throw new UsageError('seed takes exactly one of --demo or --scale national|N');
  if (values.demo) {
    const summary = await withRepository(config, async (repo) => {
      const seeded = await seedDemo(repo, { progress: createProgressReporter() });
      const demoCredentials = await createDemoAccounts(repo.db, repo);
      return demoCredentials.length > 0 ? { ...seeded, demoCredentials } : seeded;
    });
    io.out(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  }
  const scale = values.scale === 'national' ? 'national' : Number(values.scale);
  if (scale !== 'national' && (!Number.isInteger(scale) || scale < 1)) {
    throw new UsageError(`--scale must be "national" or a positive integer, got "${values.scale}"`);
  }
  const summary = await withRepository(config, (repo) => seedSynthetic(repo, { scale, progress: createProgressReporter() }));
  io.out(`${JSON.stringify(summary, null, 2)}\n`);
  return 0;
}

function printJson(io: Output, value: unknown): void {
  io.out(`${JSON.stringify(value)}\n`);
}

/** `--perimeter a,b --perimeter c` → `[a, b, c]`. */
function perimeterIds(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

function accountJson(a: Account): Record<string, unknown> {
  const { id, email, displayName: name, role, perimeter, profileCode: profile, disabled, createdAt } = a;
  return { id, email, name, role, perimeter, profile, disabled, oidc: a.oidc ?? null, createdAt };
}

async function userCommand(config: Config, args: string[], io: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { role: { type: 'string' }, perimeter: { type: 'string', multiple: true }, profile: { type: 'string' }, name: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [action, email, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected arguments: ${extra.join(' ')}`);
  if (action === 'list') {
    if (email !== undefined) throw new UsageError('user list takes no argument');
    const accounts = await withRepository(config, (repo) => new AccountStore(repo.db).list());
    for (const a of accounts) printJson(io, accountJson(a));
    return 0;
  }
  if (!['add', 'password', 'disable', 'enable'].includes(action ?? '')) {
    throw new UsageError(`Unknown user command "${action ?? ''}" (expected: add, password, disable, enable, list)`);
  }
  if (email === undefined) throw new UsageError(`user ${action} needs an EMAIL`);
  if (action !== 'add' && (values.role ?? values.perimeter ?? values.profile ?? values.name) !== undefined) {
    throw new UsageError(`user ${action} takes no option`);
  }
  switch (action) {
    case 'add': {
      const role = values.role;
      if (role === undefined) throw new UsageError('user add needs --role');
      checkRole(role);
      if (values.profile !== undefined) checkProfileCode(values.profile);
      const created = await withRepository(config, async (repo) =>
        new AccountStore(repo.db).create({
          email,
          role,
          perimeter: await resolvePerimeter(repo, role, perimeterIds(values.perimeter)),
          ...(values.profile !== undefined ? { profileCode: values.profile } : {}),
          ...(values.name !== undefined ? { displayName: values.name } : {}),
        }),
      );
      printJson(io, { email: created.account.email, password: created.password });
      return 0;
    }
    case 'password': {
      const password = await withRepository(config, (repo) => new AccountStore(repo.db).setPassword(email));
      printJson(io, { email: normalizeEmail(email), password });
      return 0;
    }
    default: {
      const account = await withRepository(config, (repo) => {
        const store = new AccountStore(repo.db);
        return action === 'disable' ? store.disable(email) : store.enable(email);
      });
      printJson(io, { email: account.email, disabled: account.disabled });
      return 0;
    }
  }
}

async function clientCommand(config: Config, args: string[], io: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      scope: { type: 'string', multiple: true },
      perimeter: { type: 'string', multiple: true },
      profile: { type: 'string', multiple: true },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, arg, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected arguments: ${extra.join(' ')}`);
  switch (action) {
    case 'add': {
      if (arg === undefined) throw new UsageError('client add needs a NAME');
      const scopes = values.scope ?? [];
      if (scopes.length === 0) throw new UsageError(`client add needs at least one --scope (${CLIENT_SCOPES.join(', ')})`);
      checkClientScopes(scopes);
      values.profile?.forEach(checkProfileCode);
      const created = await withRepository(config, async (repo) =>
        new ClientStore(repo.db).create({
          name: arg,
          scopes,
          perimeter: await resolvePerimeter(repo, 'client', perimeterIds(values.perimeter)),
          ...(values.profile !== undefined ? { profileCodes: values.profile } : {}),
        }),
      );
      printJson(io, created);
      return 0;
    }
    case 'disable': {
      if (arg === undefined) throw new UsageError('client disable needs a CLIENT_ID');
      const client = await withRepository(config, (repo) => new ClientStore(repo.db).disable(arg));
      printJson(io, { client_id: client.id, disabled: client.disabled });
      return 0;
    }
    case 'list': {
      if (arg !== undefined) throw new UsageError('client list takes no argument');
      const clients = await withRepository(config, (repo) => new ClientStore(repo.db).list());
      for (const { id, name, scopes, perimeter, profileCodes: profiles, disabled, createdAt } of clients) {
        printJson(io, { client_id: id, name, scopes, perimeter, profiles, disabled, createdAt });
      }
      return 0;
    }
    default:
      throw new UsageError(`Unknown client command "${action ?? ''}" (expected: add, disable, list)`);
  }
}
