import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Kernel, parseConfig } from '../../core/index.js';
import { BUILTIN_PLUGINS } from '../../cli/builtins.js';

const configDir = path.resolve(import.meta.dirname, '../../config');
const files = readdirSync(configDir).filter((f) => f.endsWith('.yaml'));
const env = { ...process.env, TELEGRAM_BOT_TOKEN: '123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678', OLLAMA_HOST: 'http://127.0.0.1:1' };

describe('shipped configs', () => {
  it('includes the default config', () => {
    expect(files).toContain('default.yaml');
  });

  it.each(files)('%s validates and every plugin registers', async (name) => {
    const file = path.join(configDir, name);
    const config = parseConfig(readFileSync(file, 'utf8'), { file, env });
    const kernel = await Kernel.create(config, { builtins: BUILTIN_PLUGINS, logger: pino({ level: 'silent' }), adapters: 'none' });
    try {
      expect(kernel.tryResolve('LlmProvider')).toBeDefined();
      expect(kernel.plugins.map((p) => p.block.name)).toEqual(config.plugins.filter((p) => p.enabled).map((p) => p.name));
    } finally {
      await kernel.stop();
    }
  });

  it('default.yaml serves the HTTP API with the semantic cache on a SQLite file', () => {
    const file = path.join(configDir, 'default.yaml');
    const config = parseConfig(readFileSync(file, 'utf8'), { file, env: {} });
    const byName = Object.fromEntries(config.plugins.map((p) => [p.name, p]));
    expect(byName.http.settings).toMatchObject({ host: '127.0.0.1', port: 8787 });
    expect(String(byName['semantic-cache'].settings.store)).toMatch(/^sqlite:\/\//);
  });
});
