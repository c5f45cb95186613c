/**
 * `npm run sim -- [--port 7990] [--host 127.0.0.1] [--context-path /bitbucket] [--version 10.4.2]
 *                 [--repos 20000] [--max-page 1000] [--skip-ahead] [--strict] [--spec PATH]
 *                 [--git-dir .sim-data/git] [--ssh-port 7999|off] [--tokens-may-add-keys]
 *                 [--ssh-key-types RSA,ECDSA,ED25519] [--ssh-min-bits RSA=4096] [--ssh-max-expiry-days 90]
 *                 [--gpg-key-types RSA,DSA] [--http-access-off] [--file-edit-refuses-empty]
 *                 [--default-branch master]`
 * Starts the simulator and prints its URL, the seeded users and their tokens. With `--git-dir`, a real
 * sshd serves the repositories on `--ssh-port` (0 = a free port) when it can (root, openssh-server).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from './index';
import { GPG_ALGORITHMS_ALL, SSH_ALGORITHMS } from './keys';
import { SEED_TOKENS, seed } from './seed';
import { sshUnavailable } from './ssh';
import type { GpgAlgorithm, SshAlgorithm, SshKeyPolicy } from './types';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '7990' },
    host: { type: 'string', default: '127.0.0.1' },
    'context-path': { type: 'string', default: '' },
    version: { type: 'string', default: '9.4.13' },
    repos: { type: 'string', default: '0' },
    'max-page': { type: 'string', default: '1000' },
    'skip-ahead': { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
    spec: { type: 'string' },
    'git-dir': { type: 'string' },
    'ssh-port': { type: 'string', default: '7999' },
    'tokens-may-add-keys': { type: 'boolean', default: false },
    'ssh-key-types': { type: 'string' },
    'ssh-min-bits': { type: 'string' },
    'ssh-max-expiry-days': { type: 'string' },
    'http-access-off': { type: 'boolean', default: false },
    'file-edit-refuses-empty': { type: 'boolean', default: false },
    'default-branch': { type: 'string', default: 'master' },
    'gpg-key-types': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  console.log(
    'Usage: npm run sim -- [--port 7990] [--host 127.0.0.1] [--context-path /bitbucket] [--version 9.4.13] [--repos N (up to 100000)] [--max-page 1000] [--skip-ahead] [--strict] [--spec openapi-9.2.json] [--git-dir DIR] [--ssh-port 7999|off] [--tokens-may-add-keys] [--ssh-key-types RSA,DSA,ECDSA,ED25519] [--ssh-min-bits RSA=4096,ECDSA=384] [--ssh-max-expiry-days N] [--gpg-key-types RSA,DSA,EDDSA,ECDSA] [--http-access-off] [--file-edit-refuses-empty] [--default-branch master]',
  );
  process.exit(0);
}

function algorithm(name: string): SshAlgorithm {
  const upper = name.trim().toUpperCase();
  const found = SSH_ALGORITHMS.find((a) => a === upper);
  if (!found) throw new Error(`unknown SSH key type ${name} (one of ${SSH_ALGORITHMS.join(', ')})`);
  return found;
}

function gpgAlgorithm(name: string): GpgAlgorithm {
  const upper = name.trim().toUpperCase();
  const found = GPG_ALGORITHMS_ALL.find((a) => a === upper);
  if (!found) throw new Error(`unknown GPG key type ${name} (one of ${GPG_ALGORITHMS_ALL.join(', ')})`);
  return found;
}

const sshKeyPolicy: SshKeyPolicy = {
  ...(args['ssh-key-types'] ? { allowed: args['ssh-key-types'].split(',').map(algorithm) } : {}),
  ...(args['ssh-min-bits']
    ? {
        minBits: Object.fromEntries(
          args['ssh-min-bits'].split(',').map((pair) => {
            const [name = '', bits = ''] = pair.split('=');
            return [algorithm(name), Number(bits)];
          }),
        ),
      }
    : {}),
  ...(args['ssh-max-expiry-days'] ? { maxExpiryDays: Number(args['ssh-max-expiry-days']) } : {}),
};

const sshPort = args['ssh-port'] === 'off' ? false : Number(args['ssh-port']);
const wantsSsh = Boolean(args['git-dir']) && sshPort !== false;
const sshMissing = wantsSsh ? sshUnavailable() : undefined;
if (sshMissing)
  console.warn(`No real SSH server (${sshMissing}): SSH clone links name port ${sshPort} anyway.`);

const started = Date.now();
const sim = await startSimulator({
  port: Number(args.port),
  host: args.host,
  contextPath: args['context-path'],
  version: args.version,
  repos: Number(args.repos),
  maxPage: Number(args['max-page']),
  skipAhead: args['skip-ahead'],
  strict: args.strict,
  ...(args.spec ? { specPath: path.resolve(args.spec) } : {}),
  ...(args['git-dir'] ? { gitDir: path.resolve(args['git-dir']) } : {}),
  sshPort,
  sshServer: wantsSsh && !sshMissing,
  tokensMayAddKeys: args['tokens-may-add-keys'],
  sshKeyPolicy,
  httpAccess: !args['http-access-off'],
  fileEditOnEmptyRepo: !args['file-edit-refuses-empty'],
  defaultBranchName: args['default-branch'],
  ...(args['gpg-key-types']
    ? { gpgKeyPolicy: { allowed: args['gpg-key-types'].split(',').map(gpgAlgorithm) } }
    : {}),
});

console.log(`Bitbucket ${args.version} simulator: ${sim.url}  (started in ${Date.now() - started} ms)`);
console.log(
  `  ${sim.model.repos.length} repositories, pages of at most ${sim.model.paging.maxPage}${args['skip-ahead'] ? ' cut before the permission check (nextPageStart skips ahead)' : ''}${args.strict ? ', strict conformance mode' : ''}${args['git-dir'] ? `, git repositories in ${path.resolve(args['git-dir'])}` : ''}${args['http-access-off'] ? ', HTTP(S) access off' : ''}${args['file-edit-refuses-empty'] ? ', file edits refused on empty repositories' : ''}`,
);
if (sim.ssh) {
  console.log(
    `  SSH: ssh://git@127.0.0.1:${sim.ssh.port}/<key>/<slug>.git (sshd, host key ${sim.ssh.hostKeyFingerprint}); add a key with POST /rest/ssh/1.0/keys`,
  );
}
console.log('\nUsers (password = username):');
for (const u of seed.users) {
  console.log(
    `  ${u.name.padEnd(6)} ${u.displayName}${u.globalPermission === 'SYS_ADMIN' ? '  [system admin]' : ''}${u.active === false ? '  [inactive]' : ''}`,
  );
}
console.log('\nHTTP access tokens:');
for (const t of seed.tokens) {
  const label = Object.entries(SEED_TOKENS).find(([, value]) => value === t.token)?.[0] ?? t.name;
  console.log(`  ${label.padEnd(13)} ${t.user.padEnd(6)} ${t.permissions.join('+').padEnd(26)} ${t.token}`);
}
console.log(`\nSign in at ${sim.url}/login · Ctrl+C to stop.`);

const stop = async () => {
  await sim.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
