import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) found.push(match[1]);
  return found;
}

function escapes(file: string, allowedRoots: string[]): string[] {
  return relativeImports(file)
    .map((spec) => path.resolve(path.dirname(file), spec))
    .filter((target) => !allowedRoots.some((allowed) => target === allowed || target.startsWith(allowed + path.sep)))
    .map((target) => `${path.relative(root, file)} imports ${path.relative(root, target)}`);
}

describe('architecture boundaries', () => {
  it('core/ imports nothing outside core/', () => {
    const files = sourceFiles(path.join(root, 'core'));
    expect(files.length).toBeGreaterThan(5);
    expect(files.flatMap((f) => escapes(f, [path.join(root, 'core')]))).toEqual([]);
  });

  it('a plugin imports only core/ and itself; an adapter imports only core/ and itself', () => {
    const offenders: string[] = [];
    for (const kind of ['plugins', 'adapters']) {
      for (const name of readdirSync(path.join(root, kind))) {
        const own = path.join(root, kind, name);
        for (const file of sourceFiles(own)) offenders.push(...escapes(file, [own, path.join(root, 'core')]));
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the detector catches a forbidden import', () => {
    const fake = path.join(root, 'core', 'fake.ts');
    const spec = '../plugins/ollama/index.js';
    const target = path.resolve(path.dirname(fake), spec);
    expect(target.startsWith(path.join(root, 'core') + path.sep)).toBe(false);
    expect([...`import x from '${spec}';`.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1])).toEqual([spec]);
  });

  it('shipped code never reads the shared datasets folder', () => {
    const shipped = ['core', 'plugins', 'adapters'].flatMap((d) => sourceFiles(path.join(root, d)));
    expect(shipped.filter((f) => readFileSync(f, 'utf8').includes('../shared/'))).toEqual([]);
  });
});
