/**
 * The import scanner behind the architecture-boundaries test: es-module-lexer reads each
 * file's static imports, re-exports and dynamic `import()`s, so an import named in a
 * comment or a string does not count and one spread over lines does.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { initSync, parse } from 'es-module-lexer';

initSync();

/** Every `.ts` file under `dir`. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

/**
 * Relative module specifiers a TypeScript source imports or re-exports (type-only ones
 * included: a type import is a dependency too).
 * @example
 * importSpecifiers("import type { A } from './a.js'; // from './b.js'") // ['./a.js']
 */
export function importSpecifiers(source: string): string[] {
  // The lexer knows `import type` but not `export type { … } from`; the two read alike to it once `type` is gone.
  const [imports] = parse(source.replace(/\bexport\s+type\s*\{/g, 'export {'));
  return imports.map((i) => i.n).filter((spec): spec is string => spec !== undefined && spec.startsWith('.'));
}

/** `file imports target` lines for each relative import of `file` that leaves every allowed folder. */
export function importsOutside(file: string, allowed: string[], root: string): string[] {
  return importSpecifiers(readFileSync(file, 'utf8'))
    .map((spec) => path.resolve(path.dirname(file), spec))
    .filter((target) => !allowed.some((dir) => target === dir || target.startsWith(dir + path.sep)))
    .map((target) => `${path.relative(root, file)} imports ${path.relative(root, target)}`);
}

/**
 * The project's rules for a tree with `core/`, `plugins/<name>/`, `adapters/<name>/`:
 * core imports only core; a plugin or an adapter imports only core and itself.
 */
export function boundaryViolations(root: string): string[] {
  const core = path.join(root, 'core');
  const found = sourceFiles(core).flatMap((file) => importsOutside(file, [core], root));
  for (const kind of ['plugins', 'adapters']) {
    for (const name of readdirSync(path.join(root, kind))) {
      const own = path.join(root, kind, name);
      for (const file of sourceFiles(own)) found.push(...importsOutside(file, [own, core], root));
    }
  }
  return found;
}
