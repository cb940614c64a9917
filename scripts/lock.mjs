// `npm run lock`: brings package-lock.json in step with package.json so that `npm ci` accepts it on every
// platform, without hand edits. Run it after any dependency change (`npm install x`, a version bump).
// `npm run lock:check` only reports where the two disagree; .ci/run and a unit test run the same check.
//
// Why a script: packages that ship per-platform binaries list every platform's binary as an optional
// dependency (@biomejs/biome → @biomejs/cli-darwin-arm64, …), and `npm ci` refuses a lockfile that lacks
// an entry for any of them ("Missing: @biomejs/cli-darwin-arm64@2.6.8 from lock file"), on every
// platform. `npm install` here can leave such entries out when the registry does not serve that
// package's metadata. So after `npm install --package-lock-only`, each dependency the lockfile lacks is
// added from `npm view` (version, integrity, os, cpu, libc, engines, with the dev/optional flags npm
// would give it); an optional one the registry has no such version of is dropped from its parent's
// optionalDependencies in the lockfile, which is where `npm ci` reads the edges from. Then npm rewrites
// the file in its own form and `npm ci --dry-run` must accept it.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];
const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * Does `version` satisfy `range`? Knows exact versions and `^`/`~` ranges of plain versions (what
 * platform-binary optional dependencies use); `undefined` for anything else, which callers treat as
 * "npm decides".
 */
export function satisfies(version, range) {
  const have = SEMVER.exec(version ?? '');
  const match = /^\s*([\^~=]?)\s*(\S+)\s*$/.exec(range ?? '');
  const want = match ? SEMVER.exec(match[2]) : null;
  if (!have || !match || !want) return undefined;
  if (match[1] === '' || match[1] === '=') return have.slice(1, 5).join() === want.slice(1, 5).join();
  if (have[4] || want[4]) return undefined;
  const [hM, hm, hp] = have.slice(1, 4).map(Number);
  const [wM, wm, wp] = want.slice(1, 4).map(Number);
  const atLeast = hM !== wM ? hM > wM : hm !== wm ? hm > wm : hp >= wp;
  if (!atLeast) return false;
  if (match[1] === '~') return hM === wM && hm === wm;
  // ^: the left-most non-zero part stays.
  if (wM > 0) return hM === wM;
  if (wm > 0) return hM === 0 && hm === wm;
  return hM === 0 && hm === 0 && hp === wp;
}

/** Where npm (and Node) finds `name` from the package at lockfile path `from`: the nearest node_modules up. */
export function locate(packages, from, name) {
  let base = from;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut >= 0 ? base.slice(0, cut) : '';
  }
}

/**
 * Dependencies and optional dependencies of installed packages that the lockfile has no (fitting) entry
 * for: each one makes `npm ci` refuse the file. The root's own are `npm install`'s business
 * (see rootProblems).
 */
export function missingEntries(lock) {
  const packages = lock.packages ?? {};
  const missing = [];
  for (const [parent, entry] of Object.entries(packages)) {
    if (parent === '' || entry.link) continue;
    for (const field of ['dependencies', 'optionalDependencies']) {
      for (const [name, range] of Object.entries(entry[field] ?? {})) {
        const found = locate(packages, parent, name);
        if (found && satisfies(packages[found].version, range) !== false) continue;
        missing.push({ parent, name, range, optional: field === 'optionalDependencies', found });
      }
    }
  }
  return missing;
}

/** Where package.json and the lockfile's root entry disagree, one line each (empty when they agree). */
export function rootProblems(pkg, lock) {
  const packages = lock.packages ?? {};
  const root = packages[''];
  if (!root) return ['package-lock.json has no root entry (packages[""])'];
  const problems = [];
  for (const field of DEPENDENCY_FIELDS) {
    const want = pkg[field] ?? {};
    const have = root[field] ?? {};
    for (const name of new Set([...Object.keys(want), ...Object.keys(have)])) {
      if (want[name] === have[name]) continue;
      if (want[name] === undefined) problems.push(`${field}: ${name} is in package-lock.json only`);
      else if (have[name] === undefined) problems.push(`${field}: ${name}@${want[name]} is in package.json only`);
      else problems.push(`${field}: ${name} is ${want[name]} in package.json, ${have[name]} in package-lock.json`);
    }
    if (field === 'peerDependencies') continue;
    for (const [name, range] of Object.entries(want)) {
      const installed = packages[`node_modules/${name}`];
      if (!installed) {
        if (field !== 'optionalDependencies') problems.push(`${field}: package-lock.json has no node_modules/${name}`);
      } else if (satisfies(installed.version, range) === false) {
        problems.push(`${field}: package-lock.json has ${name}@${installed.version}, package.json asks for ${range}`);
      }
    }
  }
  if (JSON.stringify(pkg.engines ?? null) !== JSON.stringify(root.engines ?? null)) {
    problems.push(
      `engines: ${JSON.stringify(pkg.engines)} in package.json, ${JSON.stringify(root.engines)} in package-lock.json`,
    );
  }
  return problems;
}

/** The lockfile entry npm writes for `meta` (an `npm view --json` manifest) reached from `parentEntry`. */
export function entryFor(meta, parentEntry, optionalEdge) {
  const optional = optionalEdge || parentEntry.optional === true;
  const entry = { version: meta.version };
  if (meta.dist?.integrity) entry.integrity = meta.dist.integrity;
  if (meta.cpu) entry.cpu = meta.cpu;
  if (parentEntry.dev) entry.dev = true;
  if (parentEntry.devOptional && !optional) entry.devOptional = true;
  if (meta.libc) entry.libc = meta.libc;
  if (meta.license) entry.license = meta.license;
  if (optional) entry.optional = true;
  if (meta.os) entry.os = meta.os;
  for (const field of ['dependencies', 'optionalDependencies', 'engines']) {
    if (meta[field] && Object.keys(meta[field]).length > 0) entry[field] = meta[field];
  }
  return entry;
}

/**
 * Adds an entry for each of `missing`, or drops an optional one `view` does not know from its parent.
 * `view(name, range)` returns the manifest of the version to lock, or undefined when the registry has
 * none. Returns what it did, one line each.
 */
export function fillMissing(lock, missing, view) {
  const packages = lock.packages;
  const done = [];
  for (const m of missing) {
    const parentEntry = packages[m.parent];
    const meta = view(m.name, m.range);
    if (!meta) {
      if (!m.optional) throw new Error(`${m.name}@${m.range} (needed by ${m.parent}) is not on the registry`);
      delete parentEntry.optionalDependencies[m.name];
      if (Object.keys(parentEntry.optionalDependencies).length === 0) delete parentEntry.optionalDependencies;
      done.push(`dropped ${m.name}@${m.range} from ${m.parent}'s optionalDependencies (not on the registry)`);
      continue;
    }
    // Hoisted when nothing of that name is reachable, else next to the package that needs it.
    const at = m.found ? `${m.parent}/node_modules/${m.name}` : `node_modules/${m.name}`;
    packages[at] = entryFor(meta, parentEntry, m.optional);
    done.push(
      `added ${at.replace(/^node_modules\//, '')}@${meta.version} (${m.optional ? 'optional' : 'dependency'} of ${m.parent})`,
    );
  }
  // npm's order: the root first, then by path.
  lock.packages = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b, 'en'))),
  );
  return done;
}

/** `npm view name@range --json`: the highest matching version's manifest, undefined when there is none. */
export function npmView(name, range) {
  const result = spawnSync('npm', ['view', `${name}@${range}`, '--json'], { cwd: ROOT, encoding: 'utf8' });
  const text = result.stdout.trim();
  if (result.status !== 0 || text === '') {
    if (/E404|ETARGET|No match found/.test(`${text}\n${result.stderr}`) || text === '') return undefined;
    throw new Error(`npm view ${name}@${range} failed:\n${result.stderr || text}`);
  }
  const parsed = JSON.parse(text);
  return Array.isArray(parsed) ? parsed.at(-1) : parsed;
}

function npm(args) {
  const result = spawnSync('npm', args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed`);
}

const readJson = (name) => JSON.parse(readFileSync(join(ROOT, name), 'utf8'));

/** Every disagreement between package.json and package-lock.json that `npm ci` would refuse. */
export function lockProblems(pkg = readJson('package.json'), lock = readJson('package-lock.json')) {
  return [
    ...rootProblems(pkg, lock),
    ...missingEntries(lock).map(
      (m) => `${m.parent} needs ${m.name}@${m.range}, which package-lock.json has no entry for`,
    ),
  ];
}

function check() {
  const problems = lockProblems();
  if (problems.length > 0) {
    process.stderr.write(
      `package-lock.json does not match package.json:\n  - ${problems.join('\n  - ')}\nRun \`npm run lock\`.\n`,
    );
    process.exit(1);
  }
  process.stdout.write('package-lock.json matches package.json.\n');
}

function lock() {
  const flags = ['--no-audit', '--no-fund', '--ignore-scripts'];
  npm(['install', '--package-lock-only', ...flags]);
  let changed = false;
  for (let round = 1; ; round += 1) {
    const file = readJson('package-lock.json');
    const missing = missingEntries(file);
    if (missing.length === 0) break;
    if (round > 5) throw new Error(`still missing after 5 rounds: ${missing.map((m) => m.name).join(', ')}`);
    for (const line of fillMissing(file, missing, npmView)) process.stdout.write(`lock: ${line}\n`);
    writeFileSync(join(ROOT, 'package-lock.json'), `${JSON.stringify(file, null, 2)}\n`);
    changed = true;
  }
  // npm keeps the added entries and writes them in its own form (flags, field order).
  if (changed) npm(['install', '--package-lock-only', ...flags]);
  const problems = lockProblems();
  if (problems.length > 0) throw new Error(`package-lock.json still disagrees:\n  - ${problems.join('\n  - ')}`);
  // The judge that matters; --dry-run leaves node_modules alone.
  const ci = spawnSync('npm', ['ci', '--dry-run', ...flags], { cwd: ROOT, encoding: 'utf8' });
  if (ci.status !== 0) throw new Error(`npm ci refuses package-lock.json:\n${ci.stderr || ci.stdout}`);
  process.stdout.write('package-lock.json matches package.json, and npm ci accepts it.\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    if (process.argv.includes('--check')) check();
    else lock();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
