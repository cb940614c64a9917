// `npm run check:boundaries`: the import rules of docs/architecture.md ("Layers"), checked on every import,
// export-from and dynamic import of src/, bench/ and test/ (type-only imports included):
//   1. src/core imports only src/core, src/shared and zod.
//   2. An adapter (src/adapters/<platform>) never imports another adapter.
//   3. Nothing in src/ imports test/ or bench/: what ships does not depend on what checks it.
//   4. bench/ may import test/support/ and test/fakes/ (it measures against the same fakes), nothing else
//      of test/; test/ never imports bench/.
// A small script rather than dependency-cruiser: four rules over relative paths need no dependency.
// Prints each violation as file:line and exits 1 when there is any.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIRS = ['src', 'bench', 'test'];
const SOURCE = /\.(ts|mts|mjs|js)$/;
// `from '…'` (import and export), `import('…')` and a bare `import '…'`.
const SPECIFIER = /\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function* sourceFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') yield* sourceFiles(path);
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      yield path;
    }
  }
}

/** The imports of `text`: each specifier with its line number. */
export function importsOf(text) {
  const found = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    const line = text.slice(0, match.index).split('\n').length;
    found.push({ specifier, line });
  }
  return found;
}

/** The rule an import from `from` to `specifier` breaks, or null. Paths are relative to the root, with `/`. */
export function ruleBroken(from, specifier) {
  const relativeSpecifier = specifier.startsWith('./') || specifier.startsWith('../');
  const target = relativeSpecifier ? join(dirname(from), specifier).split(sep).join('/') : null;
  const inside = (path, folder) => path === folder || path.startsWith(`${folder}/`);
  if (inside(from, 'src/core')) {
    if (target ? !inside(target, 'src/core') && !inside(target, 'src/shared') : specifier !== 'zod') {
      return 'src/core imports only src/core, src/shared and zod';
    }
  }
  if (!target) return null;
  const adapter = /^src\/adapters\/([^/]+)/;
  const fromAdapter = adapter.exec(from)?.[1];
  const toAdapter = adapter.exec(target)?.[1];
  if (fromAdapter && toAdapter && fromAdapter !== toAdapter) return 'an adapter never imports another adapter';
  if (inside(from, 'src') && (inside(target, 'test') || inside(target, 'bench'))) {
    return 'nothing in src/ imports test/ or bench/';
  }
  if (
    inside(from, 'bench') &&
    inside(target, 'test') &&
    !inside(target, 'test/support') &&
    !inside(target, 'test/fakes')
  ) {
    return 'bench/ imports only test/support/ and test/fakes/ of test/';
  }
  if (inside(from, 'test') && inside(target, 'bench')) return 'test/ never imports bench/';
  return null;
}

/** Every violation under `root`. */
export function findViolations(root = ROOT) {
  const violations = [];
  for (const dir of DIRS) {
    for (const file of sourceFiles(join(root, dir))) {
      const from = relative(root, file).split(sep).join('/');
      for (const { specifier, line } of importsOf(readFileSync(file, 'utf8'))) {
        const rule = ruleBroken(from, specifier);
        if (rule) violations.push({ file: from, line, specifier, rule });
      }
    }
  }
  return violations;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const violations = findViolations();
  for (const v of violations) console.error(`${v.file}:${v.line}: imports '${v.specifier}': ${v.rule}`);
  if (violations.length > 0) {
    console.error(`${violations.length} import(s) cross a boundary (docs/architecture.md, "Layers").`);
    process.exit(1);
  }
  console.log('Import boundaries: OK (docs/architecture.md, "Layers").');
}
