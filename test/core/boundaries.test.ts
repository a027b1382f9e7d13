import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundaryViolations, importSpecifiers, sourceFiles } from '../helpers/imports.js';

const root = path.resolve(import.meta.dirname, '../..');
const fixture = path.join(import.meta.dirname, 'fixtures', 'boundaries');

describe('architecture boundaries', () => {
  it('core/ imports nothing outside core/; a plugin or an adapter imports only core/ and itself', () => {
    expect(sourceFiles(path.join(root, 'core')).length).toBeGreaterThan(5);
    expect(sourceFiles(path.join(root, 'plugins')).length).toBeGreaterThan(5);
    expect(boundaryViolations(root)).toEqual([]);
  });

  it('the scanner catches every forbidden import in a fixture tree, and nothing else', () => {
    expect(boundaryViolations(fixture).sort()).toEqual([
      `adapters${path.sep}door${path.sep}index.ts imports plugins${path.sep}alpha${path.sep}index.js`,
      `adapters${path.sep}door${path.sep}index.ts imports plugins${path.sep}beta${path.sep}index.js`,
      `core${path.sep}index.ts imports plugins${path.sep}beta${path.sep}index.js`,
      `plugins${path.sep}alpha${path.sep}index.ts imports plugins${path.sep}beta${path.sep}index.js`,
    ]);
  });

  it('reads imports, type imports, re-exports and dynamic imports; ignores comments and strings', () => {
    const source = [
      "import type { A } from './a.js';",
      "import {\n  b,\n} from './b.js';",
      "export * from './c.js';",
      "export type { D } from './d.js';",
      "const e = await import('./e.js');",
      "// import { f } from './f.js';",
      "const g = \"from './g.js'\";",
      "import { z } from 'zod';",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./a.js', './b.js', './c.js', './d.js', './e.js']);
  });

  it('shipped code never reads the shared datasets folder', () => {
    const shipped = ['core', 'plugins', 'adapters'].flatMap((d) => sourceFiles(path.join(root, d)));
    expect(shipped.filter((f) => readFileSync(f, 'utf8').includes('../shared/'))).toEqual([]);
  });
});
