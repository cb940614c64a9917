// `npm run check:boundaries`: the import rules of docs/architecture.md ("Layers"), checked on every import,
// export-from and dynamic import of src/, bench/ and test/ (type-only imports included):
//   1. src/core imports only src/core, src/shared and zod.
//   2. An adapter (src/adapters/<platform>/) never imports another adapter; the files beside the folders
//      (the registry, the descriptor type) are no adapter.
//   3. Nothing in src/ imports test/ or bench/: what ships does not depend on what checks it.
//   4. bench/ may import test/support/ and test/fakes/ (it measures against the same fakes), nothing else
//      of test/; test/ never imports bench/.
//   5. src/storage (the image stores) imports only src/storage, src/core, src/shared and packages: a
//      store implements a core port and knows nothing of the queue, the adapters or the roles.
//   6. No import circle: files that import each other, directly or through others, cannot be read (or
//      loaded) one after the other, and ESM hands one of them undefined bindings while the circle loads.
//   7. The rest of src/ reaches the platforms through the registry (src/adapters/registry.ts) and the
//      descriptor type (src/adapters/platform.ts) only, so a platform stays one folder and one registry line.
// A small script rather than dependency-cruiser: seven rules over relative paths need no dependency.
// Prints each violation as file:line and exits 1 when there is any.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
  if (inside(from, 'src/storage') && !['src/storage', 'src/core', 'src/shared'].some((f) => inside(target, f))) {
    return 'src/storage imports only src/storage, src/core, src/shared and packages';
  }
  const adapter = /^src\/adapters\/([^/]+)\//;
  const fromAdapter = adapter.exec(from)?.[1];
  const toAdapter = adapter.exec(target)?.[1];
  if (fromAdapter && toAdapter && fromAdapter !== toAdapter) return 'an adapter never imports another adapter';
  if (
    inside(from, 'src') &&
    !inside(from, 'src/adapters') &&
    inside(target, 'src/adapters') &&
    !['src/adapters/registry.js', 'src/adapters/platform.js'].includes(target)
  ) {
    return 'the rest of src/ reaches a platform through src/adapters/registry.ts only';
  }
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

/** The file a relative import names: `./x.js` is the source `./x.ts` when that is what exists. */
function resolveImport(root, from, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return null;
  const target = join(dirname(from), specifier).split(sep).join('/');
  for (const candidate of [target, target.replace(/\.js$/, '.ts'), target.replace(/\.mjs$/, '.mts')]) {
    if (SOURCE.test(candidate) && existsSync(join(root, candidate))) return candidate;
  }
  return null;
}

/**
 * Each import circle of `graph` (file → imported file → line), as the files in import order starting
 * from the smallest name, found with Tarjan's strongly connected components.
 */
export function circlesOf(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  let next = 0;
  const visit = (node) => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node)?.keys() ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node), low.get(to)));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node), index.get(to)));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.has(node)) components.push(new Set(component));
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  // One circle per component: the shortest way from its first file back to it, inside the component.
  return components.map((members) => {
    const start = [...members].sort()[0];
    const previous = new Map([[start, null]]);
    const queue = [start];
    for (let i = 0; i < queue.length; i += 1) {
      for (const to of [...(graph.get(queue[i])?.keys() ?? [])].sort()) {
        if (to === start) {
          const path = [];
          for (let at = queue[i]; at !== null; at = previous.get(at)) path.unshift(at);
          return path;
        }
        if (members.has(to) && !previous.has(to)) {
          previous.set(to, queue[i]);
          queue.push(to);
        }
      }
    }
    return [start];
  });
}

/** Every violation under `root`. */
export function findViolations(root = ROOT) {
  const violations = [];
  const graph = new Map();
  for (const dir of DIRS) {
    for (const file of sourceFiles(join(root, dir))) {
      const from = relative(root, file).split(sep).join('/');
      const edges = new Map();
      graph.set(from, edges);
      for (const { specifier, line } of importsOf(readFileSync(file, 'utf8'))) {
        const rule = ruleBroken(from, specifier);
        if (rule) violations.push({ file: from, line, specifier, rule });
        const target = resolveImport(root, from, specifier);
        if (target && !edges.has(target)) edges.set(target, { line, specifier });
      }
    }
  }
  for (const circle of circlesOf(graph)) {
    const first = circle[0];
    const second = circle[1] ?? first;
    const { line, specifier } = graph.get(first).get(second);
    violations.push({ file: first, line, specifier, rule: `import circle: ${[...circle, first].join(' → ')}` });
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
