/**
 * Kobza's public API: the kernel, the plugin contract, the request/reply types, errors,
 * events, text analysis and the store contract. Plugins and adapters import only this
 * (or modules inside `core/`).
 */
export * from './errors.js';
export * from './types.js';
export * from './contracts.js';
export * from './events.js';
export * from './reply.js';
export * from './request.js';
export * from './pipeline.js';
export * from './plugin.js';
export * from './tokens.js';
export * from './kernel.js';
export * from './logger.js';
export * from './storage.js';
export * from './feedback.js';
export * from './limits.js';
export * from './knowledge.js';
export { configErrorMap } from './config/error-map.js';
export { parseConfig, loadConfigFile, formatProblem, didYouMean, editDistance, validateAt, type ConfigProblem } from './config/load.js';
export type { KobzaConfig, PluginBlock, AssistantSettings, LoggingSettings, LimitSettings } from './config/schema.js';
export { limitsSchema, DEFAULT_LIMITS } from './config/schema.js';
/** Text analysis for uk/ru/en (normalisation, language, stems, slots, question comparison). */
export * as text from './text/index.js';
/** zod, re-exported so a plugin module outside this package can declare its config schema. */
export { z } from 'zod';
export * from './abort.js';
export * from './provider-kit.js';
export * from './bounded-map.js';
export * from './hashing-embedder.js';
