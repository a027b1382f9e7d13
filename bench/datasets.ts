/**
 * Where the benchmarks find the labelled datasets: `$KOBZA_DATASETS`, else `../shared/datasets`
 * beside the repository (resolved from the repo root, not the working directory). They are
 * read by path only, never copied into the repo.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The datasets folder. */
export const DATASETS = process.env.KOBZA_DATASETS ? path.resolve(process.env.KOBZA_DATASETS) : path.resolve(REPO, '../shared/datasets');

/**
 * A dataset file's path.
 * @example
 * const pairs = datasetPath('cache-pairs.dev.jsonl');
 */
export function datasetPath(name: string): string {
  return path.join(DATASETS, name);
}

/** What to say when a dataset file is missing: where it was looked for and the variable to set. */
export function missingDataset(file: string): string {
  return `${file} not found; set KOBZA_DATASETS to the folder that holds ${path.basename(file)} (default: ../shared/datasets beside the repo)`;
}

/**
 * A dataset file's path, or an error naming KOBZA_DATASETS when it is missing.
 * @example
 * const archive = requireDataset('gptcache_similiar_qqp_full.tar.gz');
 */
export function requireDataset(name: string): string {
  const file = datasetPath(name);
  if (!existsSync(file)) throw new Error(missingDataset(file));
  return file;
}
