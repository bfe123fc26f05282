import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { hashPassword, PASSWORD_MIN_LENGTH } from '../auth/password.ts';
import { findOrCreateCountryRoot } from '../units/unit.repository.ts';
import { withDatabase } from './with-database.ts';

const usage = `Usage: npm run user:create -- --username <name> [--name "<display name>"] [--role admin|manager|viewer] [--unit <unit code>]
The password is read from SIPAS_PASSWORD, or asked for. Without --unit, the account's scope is the national root unit (code VN), created if missing.`;

let options;
try {
  options = parseArgs({
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', default: 'admin' },
      unit: { type: 'string', default: 'VN' },
    },
  }).values;
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
const { username, role, unit } = options;
if (!username || !/^[a-z0-9][a-z0-9._-]{2,39}$/.test(username) || !['admin', 'manager', 'viewer'].includes(role!)) {
  console.error(usage);
  process.exit(2);
}

/** Reads the password without echoing it on a terminal; piped input is read as one line. */
async function askPassword(): Promise<string> {
  if (process.env.SIPAS_PASSWORD) return process.env.SIPAS_PASSWORD;
  process.stdout.write('Password: ');
  if (!process.stdin.isTTY) {
    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) return line;
    return '';
  }
  process.stdin.setRawMode(true);
  process.stdin.resume();
  let typed = '';
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    for (const char of chunk.toString('utf8')) {
      if (char === '\u0003') process.exit(130);
      if (char === '\r' || char === '\n') {
        process.stdin.setRawMode(false);
        process.stdin.pause();
        process.stdout.write('\n');
        return typed;
      }
      typed = char === '\u007f' ? typed.slice(0, -1) : typed + char;
    }
  }
  return typed;
}

const password = await askPassword();
if (password.length < PASSWORD_MIN_LENGTH) {
  console.error(`The password must have at least ${PASSWORD_MIN_LENGTH} characters.`);
  process.exit(2);
}

await withDatabase(async (db) => {
  await db.transaction().execute(async (trx) => {
    const scope =
      unit === 'VN'
        ? await findOrCreateCountryRoot(trx)
        : await trx.selectFrom('unit').select(['id', 'name']).where('code', '=', unit!).executeTakeFirst();
    if (!scope) throw new Error(`No unit has the code "${unit}"`);
    const existing = await trx.selectFrom('official').select('id').where('username', '=', username).executeTakeFirst();
    if (existing) throw new Error(`The username "${username}" is taken`);
    await trx
      .insertInto('official')
      .values({
        username,
        display_name: options.name ?? username,
        role: role as 'admin' | 'manager' | 'viewer',
        unit_id: scope.id,
        password_hash: await hashPassword(password),
      })
      .execute();
    console.log(`Created ${role} "${username}" for ${scope.name}. Sign in at /officials/.`);
  });
});
