/**
 * Every CLI command module. Each exports `register(program)`.
 */
import type { Command } from 'commander';
import * as serve from './serve.js';
import * as chat from './chat.js';
import * as check from './check.js';
import * as evalRanking from './eval-ranking.js';
import * as evalCache from './eval-cache.js';
import * as cache from './cache.js';
import * as init from './init.js';
import * as knowledge from './knowledge.js';

export const COMMANDS: { register(program: Command): void }[] = [serve, chat, check, evalRanking, evalCache, cache, knowledge, init];
