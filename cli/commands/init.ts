/**
 * `kobza init [DIR]`: scaffolds a bot project (package.json, kobza.yaml, a scorer plugin, a
 * cache-store plugin, type checking against kobza's declarations, a README). Refuses a
 * folder that already holds files unless `--force`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { KobzaError } from '../../core/index.js';
import { reportFatal } from '../boot.js';
import { scaffoldFiles } from '../scaffold/files.js';

interface KobzaPackage {
  root: string;
  version: string;
  devDependencies?: Record<string, string>;
}

/** This kobza's package root and manifest (from source or from dist/). */
function kobzaPackage(): KobzaPackage {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Omit<KobzaPackage, 'root'> & { name?: string };
      if (manifest.name === 'kobza') return { root: dir, ...manifest };
    }
    dir = path.dirname(dir);
  }
  throw new KobzaError('INTERNAL', 'cannot find kobza’s package.json');
}

/**
 * How a new project depends on this kobza: the checkout itself (`file:`) when run from a
 * git clone, else the published version.
 */
export function defaultKobzaSpec(pkg: KobzaPackage = kobzaPackage()): string {
  return existsSync(path.join(pkg.root, '.git')) ? `file:${pkg.root}` : `^${pkg.version}`;
}

export interface InitOptions {
  force?: boolean;
  kobza?: string;
}

/**
 * Writes the scaffold into `dir`; returns the written relative paths.
 * @example
 * await initProject('/tmp/bot', { kobza: 'file:/src/kobza' });
 */
export async function initProject(dir: string, options: InitOptions = {}): Promise<string[]> {
  const target = path.resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0 && !options.force) {
    throw new KobzaError('BAD_REQUEST', `${target} is not empty; choose an empty or new folder, or pass --force to write over the files kobza init creates`);
  }
  const pkg = kobzaPackage();
  const range = (name: string, fallback: string) => (pkg.devDependencies?.[name] ? `^${pkg.devDependencies[name].replace(/^[\^~]/, '')}` : fallback);
  const name = path.basename(target).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '') || 'kobza-bot';
  const files = scaffoldFiles({
    name,
    kobzaSpec: options.kobza ?? defaultKobzaSpec(pkg),
    typescript: range('typescript', '^5.9.0'),
    typesNode: range('@types/node', '^20.19.0'),
  });
  for (const [relative, text] of Object.entries(files)) {
    const file = path.join(target, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return Object.keys(files);
}

export function register(program: Command): void {
  program
    .command('init')
    .description('Create a bot project: kobza.yaml, a scorer and a cache-store plugin, type checking')
    .argument('[dir]', 'folder to create (must be empty)', '.')
    .option('--force', 'write into a folder that already holds files')
    .option('--kobza <spec>', 'how package.json depends on kobza (default: this checkout, or this version)')
    .action(async (dir: string, options: InitOptions) => {
      try {
        const written = await initProject(dir, options);
        const relative = path.relative(process.cwd(), path.resolve(dir)) || '.';
        const shown = relative.startsWith('..') ? path.resolve(dir) : relative;
        process.stdout.write(`created ${shown}: ${written.join(', ')}\n\nnext:\n  cd ${shown}\n  npm install\n  npx kobza check --config kobza.yaml\n  npx kobza serve --config kobza.yaml\n`);
      } catch (err) {
        process.exitCode = reportFatal(err);
      }
    });
}
