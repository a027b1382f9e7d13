/**
 * The plugins shipped with Kobza, by their key in `plugins:`. Loaded lazily so a config
 * pays only for what it enables.
 */
import type { PluginLoader } from '../core/index.js';

export const BUILTIN_PLUGINS: Record<string, PluginLoader> = {
  memory: () => import('../plugins/memory/index.js'),
  console: () => import('../adapters/console/index.js'),
  ollama: () => import('../plugins/ollama/index.js'),
  'openai-compatible': () => import('../plugins/openai-compatible/index.js'),
  http: () => import('../adapters/http/index.js'),
  telegram: () => import('../adapters/telegram/index.js'),
  'parallel-ranking': () => import('../plugins/parallel-ranking/index.js'),
  streaming: () => import('../plugins/streaming/index.js'),
  'semantic-cache': () => import('../plugins/semantic-cache/index.js'),
  knowledge: () => import('../plugins/knowledge/index.js'),
};
