/**
 * `npm run tokens -- <command>`: manage the service's access tokens in its store (the same
 * ONRAMP_DB or DATABASE_URL the service uses).
 *   list                              names, roles, dates; never a token
 *   create NAME [--role admin|instructor]   prints the new token once (default role: instructor)
 *   revoke NAME-or-ID
 */
import { openStore, storeConfig, describeStore } from '../src/server/store/index.ts';
import { createToken, listTokens, revokeToken, TokenError, checkRole } from '../src/server/auth/tokens.ts';

const USAGE = 'usage: npm run tokens -- list | create NAME [--role admin|instructor] | revoke NAME-or-ID';

async function run(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (!command || !['list', 'create', 'revoke'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const config = storeConfig();
  const store = await openStore(config);
  try {
    if (command === 'list') {
      const tokens = await listTokens(store);
      console.log(`${tokens.length} token(s) in ${describeStore(config)}`);
      for (const t of tokens) console.log(`${t.id}  ${t.role.padEnd(10)} ${t.name.padEnd(34)} created ${t.createdAt}  ${t.revokedAt ? `REVOKED ${t.revokedAt}` : `last used ${t.lastUsedAt ?? 'never'}`}`);
      return 0;
    }
    const roleAt = rest.indexOf('--role');
    const role = checkRole(roleAt >= 0 ? rest[roleAt + 1] : 'instructor');
    const name = (roleAt >= 0 ? [...rest.slice(0, roleAt), ...rest.slice(roleAt + 2)] : rest).join(' ');
    if (!name) throw new TokenError(USAGE);
    if (command === 'create') {
      const made = await createToken(store, name, role);
      console.log(`Created ${made.info.role} token "${made.info.name}" (${made.info.id}). It is shown this once; the store keeps only its hash:`);
      console.log(made.token);
    } else {
      const revoked = await revokeToken(store, name);
      console.log(`Revoked ${revoked.role} token "${revoked.name}" (${revoked.id}).`);
    }
    return 0;
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    console.error(`tokens: ${error.message}`);
    return 1;
  } finally {
    await store.close();
  }
}

process.exitCode = await run(process.argv.slice(2));
