import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { KobzaError, parseConfig, validateAt, type ConfigProblem } from '../../../core/index.js';

function problemsOf(source: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(source, { file: 'kobza.yaml', env });
  } catch (err) {
    expect(err).toBeInstanceOf(KobzaError);
    expect((err as KobzaError).code).toBe('CONFIG_INVALID');
    return (err as KobzaError).details.problems as string[];
  }
  throw new Error('expected the config to be rejected');
}

describe('config loading', () => {
  it('parses the documented shape and keeps plugin order', () => {
    const config = parseConfig(
      ['assistant:', '  model: qwen2.5:7b', '  systemPrompt: "Ти помічник ХДУ"', 'plugins:', '  ollama:', '    host: http://127.0.0.1:11434', '  console: {}', '  my-scorer:', '    module: ./my-scorer.js', '    enabled: false', '    weight: 2'].join('\n'),
      { file: 'kobza.yaml', env: {} },
    );
    expect(config.assistant).toMatchObject({ model: 'qwen2.5:7b', systemPrompt: 'Ти помічник ХДУ', language: 'uk' });
    expect(config.plugins.map((p) => [p.name, p.enabled, p.line])).toEqual([
      ['ollama', true, 5],
      ['console', true, 7],
      ['my-scorer', false, 8],
    ]);
    expect(config.plugins[2]).toMatchObject({ module: './my-scorer.js', settings: { weight: 2 } });
    expect(config.kernel.shutdownTimeoutMs).toBe(10_000);
  });

  it('interpolates ${VAR} and ${VAR:-default}, turning a whole unquoted placeholder into a number', () => {
    const config = parseConfig(
      ['assistant: { model: "${MODEL}" }', 'plugins:', '  http:', '    port: ${PORT:-8787}', '    host: "${HOST:-127.0.0.1}"', '    label: "v${VERSION:-1}"'].join('\n'),
      { file: 'kobza.yaml', env: { MODEL: 'llama3.2' } },
    );
    expect(config.assistant.model).toBe('llama3.2');
    expect(config.plugins[0].settings).toEqual({ port: 8787, host: '127.0.0.1', label: 'v1' });
  });

  it('names a missing environment variable with its file, line and key', () => {
    expect(problemsOf(['assistant:', '  model: m', 'plugins:', '  telegram:', '    token: ${TELEGRAM_BOT_TOKEN}'].join('\n'))).toEqual([
      'kobza.yaml:5: plugins.telegram.token: environment variable TELEGRAM_BOT_TOKEN is not set (set it, or write ${TELEGRAM_BOT_TOKEN:-default})',
    ]);
  });

  it('reports unknown top-level keys with "did you mean"', () => {
    expect(problemsOf(['assistant:', '  model: m', '  systemPromt: hi', 'plugin: {}'].join('\n'))).toEqual([
      'kobza.yaml:3: assistant.systemPromt: unknown key; did you mean "systemPrompt"?',
      'kobza.yaml:4: plugin: unknown key; did you mean "plugins"?',
    ]);
  });

  it('reports a missing model and wrong types with what was expected and what was found', () => {
    const problems = problemsOf(['assistant: {}', 'logging:', '  level: loud', 'kernel:', '  shutdownTimeoutMs: soon'].join('\n'));
    expect(problems).toContain('kobza.yaml:1: assistant.model: is required (expected a model name such as qwen2.5:7b)');
    expect(problems).toContain('kobza.yaml:3: logging.level: expected fatal, error, warn, info, debug, trace or silent, got "loud"');
    expect(problems).toContain('kobza.yaml:5: kernel.shutdownTimeoutMs: expected a number, got "soon"');
  });

  it('reports YAML syntax errors with their line', () => {
    const [problem] = problemsOf(['assistant:', '  model: m', 'plugins:', '  ollama: {host: ]'].join('\n'));
    expect(problem).toMatch(/^kobza\.yaml:4: \(root\): YAML syntax error/);
  });

  it('reports bad reserved keys in plugin blocks', () => {
    expect(problemsOf(['assistant: { model: m }', 'plugins:', '  x:', '    enabled: "no"', '    module: 3'].join('\n'))).toEqual([
      'kobza.yaml:4: plugins.x.enabled: expected true or false, got "no"',
      'kobza.yaml:5: plugins.x.module: expected a path to a plugin module, got 3',
    ]);
  });

  it('validates a plugin block against its schema with key paths, nested lines and suggestions', () => {
    const config = parseConfig(['assistant: { model: m }', 'plugins:', '  ollama:', '    host: 42', '    timeouts:', '      idelMs: 5'].join('\n'), { file: 'kobza.yaml', env: {} });
    const schema = z.strictObject({
      host: z.url({ error: 'expected a URL' }),
      timeouts: z.strictObject({ idleMs: z.number().default(1), connectMs: z.number().default(1) }).default({ idleMs: 1, connectMs: 1 }),
    });
    const problems: ConfigProblem[] = [];
    const out = validateAt(schema, config.plugins[0].settings, ['plugins', 'ollama'], config.file, config, problems);
    expect(out).toBeUndefined();
    expect(problems.map((p) => `${p.file}:${p.line}: ${p.path}: ${p.message}`)).toEqual([
      'kobza.yaml:4: plugins.ollama.host: expected a URL, got 42',
      'kobza.yaml:6: plugins.ollama.timeouts.idelMs: unknown key; did you mean "idleMs"?',
    ]);
  });

  it('never prints the value of a secret key in a problem', () => {
    const config = parseConfig(['assistant: { model: m }', 'plugins:', '  bot:', '    token: "12345:SECRET-value"'].join('\n'), { file: 'kobza.yaml', env: {} });
    const schema = z.strictObject({ token: z.string().regex(/^\d+:[A-Za-z0-9_-]{30,}$/, { error: 'expected a bot token from @BotFather' }) });
    const problems: ConfigProblem[] = [];
    validateAt(schema, config.plugins[0].settings, ['plugins', 'bot'], config.file, config, problems);
    expect(problems.map((p) => p.message)).toEqual(['expected a bot token from @BotFather, got a hidden string of 18 characters']);
    expect(JSON.stringify(problems)).not.toContain('SECRET');
  });
});
