/**
 * The files `kobza init` writes: a bot project that depends on Kobza, one scorer plugin and
 * one cache-store plugin in checked JavaScript (JSDoc types from kobza's declarations, no
 * build step), a kobza.yaml that enables them, and a README with the commands to run it.
 */

export interface ScaffoldOptions {
  /** The project's package name. */
  name: string;
  /** How package.json depends on kobza: `file:/path/to/checkout`, a tarball, or `^0.1.0`. */
  kobzaSpec: string;
  /** Version ranges for the type-checking devDependencies. */
  typescript: string;
  typesNode: string;
}

const packageJson = (o: ScaffoldOptions) =>
  `${JSON.stringify(
    {
      name: o.name,
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts: {
        check: 'kobza check --config kobza.yaml',
        start: 'kobza serve --config kobza.yaml',
        typecheck: 'tsc --noEmit',
      },
      dependencies: { kobza: o.kobzaSpec },
      devDependencies: { '@types/node': o.typesNode, typescript: o.typescript },
    },
    null,
    2,
  )}\n`;

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      allowJs: true,
      checkJs: true,
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      types: ['node'],
    },
    include: ['plugins'],
  },
  null,
  2,
)}\n`;

const KOBZA_YAML = `# Kobza config: one file, \${VAR} and \${VAR:-default} read from the environment.
# Check it:  npx kobza check --config kobza.yaml   (--no-probe skips asking Ollama)
# Run it:    npx kobza serve --config kobza.yaml
assistant:
  model: \${KOBZA_MODEL:-qwen2.5:7b}
  language: uk                        # uk, en or ru: the language of the bot's own messages

plugins:
  # --- built-in plugins: uncomment what you need -------------------------------------
  ollama:                             # the model upstream (or use openai-compatible)
    host: \${OLLAMA_HOST:-http://127.0.0.1:11434}

  # openai-compatible:                # instead of ollama (one provider per config): llama.cpp server, vLLM, LM Studio
  #   baseURL: http://127.0.0.1:8080/v1
  #   apiKey: \${LLM_API_KEY:-}

  http:                               # front door: OpenAI-style HTTP API
    port: \${PORT:-8787}

  # telegram:                         # front door: a Telegram bot (token from @BotFather)
  #   token: \${TELEGRAM_BOT_TOKEN}

  # streaming:                        # replay cache hits at reading pace
  #   replay: paced

  # memory: {}                        # conversation history for follow-up questions

  # knowledge:                        # answers from your documents: FAQ answers as written, passages with sources
  #   sources: [./knowledge/*.md, ./knowledge/faq.yaml]
  #   whenNotFound: model             # or refuse: a fixed message naming contact
  #   contact: info@example.org

  # feedback: {}                      # 👍/👎 on answers (POST /v1/feedback); 👎 take bad cached answers out

  semantic-cache: {}                  # answers repeated questions; stores in map-store below

  parallel-ranking:                   # several drafts for hard questions, the scorers pick one
    when: hard
    weights:
      plain-answer: 2                 # any scorer's weight, by its name

  # --- your own plugins (./plugins) ---------------------------------------------------
  plain-answer:
    module: ./plugins/plain-answer.js
    maxChars: 700
    avoid: ["as an AI language model"]

  map-store:                          # the CacheStore the semantic cache uses
    module: ./plugins/map-store.js
    maxEntries: 10000
`;

const SCORER = `// @ts-check
/**
 * A custom scorer plugin: prefers answers that stay short and never use a phrase the
 * deployment wants gone. \`parallel-ranking\` asks every scorer about every draft and
 * keeps the best one; a vetoed draft loses to any draft that is not.
 *
 * Try it offline: npx kobza eval ranking --items ranking.jsonl --config kobza.yaml
 */
import { definePlugin, z } from 'kobza';

/** @typedef {import('kobza').Scorer} Scorer */

export const configSchema = z.strictObject({
  /** Answers up to this many characters score 1; longer ones less. */
  maxChars: z.number().int().min(1).default(700),
  /** Phrases that veto an answer (compared case-insensitively). */
  avoid: z.array(z.string().min(1)).default([]),
  weight: z.number().min(0).default(1),
});

/**
 * @param {z.output<typeof configSchema>} config
 * @returns {Scorer}
 */
export function createPlainAnswerScorer(config) {
  const avoid = config.avoid.map((phrase) => phrase.toLowerCase());
  return {
    name: 'plain-answer',
    weight: config.weight,
    score(candidate) {
      const text = candidate.text.toLowerCase();
      const found = avoid.find((phrase) => text.includes(phrase));
      if (found) return { score: 0, veto: true, reason: \`says "\${found}"\` };
      const length = candidate.text.length;
      return length <= config.maxChars ? 1 : config.maxChars / length;
    },
  };
}

export default definePlugin({
  name: 'plain-answer',
  configSchema,
  register(ctx, config) {
    ctx.provide('Scorer', createPlainAnswerScorer(config));
  },
});
`;

const STORE = `// @ts-check
/**
 * A custom cache-store plugin: keeps the semantic cache in memory, at most \`maxEntries\`
 * per namespace (the oldest goes first). A store implements the few calls of
 * \`CacheStore\`; replace the Map with your database and keep the same shape.
 */
import { definePlugin, z } from 'kobza';

/** @typedef {import('kobza').CacheStore} CacheStore */
/** @typedef {import('kobza').CacheStoreFactory} CacheStoreFactory */
/** @typedef {{ value: unknown, expiresAt: number }} Slot */

/**
 * One namespace: a Map in insertion order, trimmed from the front.
 * @param {number} maxEntries
 * @returns {CacheStore}
 */
export function createMapStore(maxEntries) {
  /** @type {Map<string, Slot>} */
  const slots = new Map();
  /** @param {string} key */
  const live = (key) => {
    const slot = slots.get(key);
    if (slot && slot.expiresAt !== 0 && slot.expiresAt <= Date.now()) {
      slots.delete(key);
      return undefined;
    }
    return slot;
  };
  return {
    async get(key) {
      const slot = live(key);
      return slot === undefined ? undefined : /** @type {any} */ (structuredClone(slot.value));
    },
    async set(key, value, ttlMs) {
      slots.delete(key);
      slots.set(key, { value: structuredClone(value), expiresAt: ttlMs && ttlMs > 0 ? Date.now() + ttlMs : 0 });
      for (const oldest of slots.keys()) {
        if (slots.size <= maxEntries) break;
        slots.delete(oldest);
      }
    },
    async delete(key) {
      const existed = live(key) !== undefined;
      slots.delete(key);
      return existed;
    },
    async clear() {
      slots.clear();
    },
    async *entries(prefix) {
      for (const key of [...slots.keys()]) {
        const slot = live(key);
        if (slot && (!prefix || key.startsWith(prefix))) yield /** @type {[string, unknown]} */ ([key, structuredClone(slot.value)]);
      }
    },
  };
}

export default definePlugin({
  name: 'map-store',
  provides: ['CacheStore'],
  configSchema: z.strictObject({
    maxEntries: z.number().int().min(1).default(10_000),
  }),
  register(ctx, config) {
    /** @type {Map<string, CacheStore>} */
    const namespaces = new Map();
    /** @type {CacheStoreFactory} */
    const factory = {
      describe: () => \`map (up to \${config.maxEntries} entries a namespace)\`,
      async open(namespace) {
        let store = namespaces.get(namespace);
        if (!store) namespaces.set(namespace, (store = createMapStore(config.maxEntries)));
        return store;
      },
    };
    ctx.provide('CacheStore', factory);
  },
});
`;

const RANKING = [
  { id: 'short', lang: 'en', question: 'When does the admissions office open?', candidates: ['As an AI language model, I cannot know opening hours.', 'It opens at 9:00 on weekdays.'], best: 1 },
  { id: 'plain', lang: 'en', question: 'Is there a dormitory?', candidates: ['Yes: the university has two dormitories; apply at the admissions office.', 'As an AI language model I have no data, but probably yes.'], best: 0 },
]
  .map((item) => JSON.stringify(item))
  .join('\n');

const README = (name: string) => `# ${name}

A chatbot on [Kobza](https://www.npmjs.com/package/kobza): a local model served by Ollama,
an HTTP API, a semantic cache kept by \`plugins/map-store.js\`, and a custom scorer
(\`plugins/plain-answer.js\`) that helps parallel ranking choose between drafts.

\`\`\`sh
npm install
npx kobza check --config kobza.yaml     # validates the config and asks Ollama for the model
npx kobza serve --config kobza.yaml     # HTTP API on http://127.0.0.1:8787 (PORT to change)
\`\`\`

Also useful:

- \`npx tsc --noEmit\` type-checks the plugins against Kobza's types (checked JavaScript:
  \`// @ts-check\` and JSDoc, no build step).
- \`npx kobza eval ranking --items ranking.jsonl --config kobza.yaml\` shows how the scorers
  rank the labelled drafts in \`ranking.jsonl\` (no model needed).
- \`npx kobza chat --config kobza.yaml\` talks to the bot in the terminal.

Environment: \`KOBZA_MODEL\` (default qwen2.5:7b), \`OLLAMA_HOST\` (default
http://127.0.0.1:11434), \`PORT\` (default 8787), \`TELEGRAM_BOT_TOKEN\` when the telegram
block is enabled.
`;

/**
 * Every file of a new project, by relative path.
 * @example
 * const files = scaffoldFiles({ name: 'bot', kobzaSpec: '^0.1.0', typescript: '^7.0.2', typesNode: '^20.19.0' });
 */
export function scaffoldFiles(options: ScaffoldOptions): Record<string, string> {
  return {
    'package.json': packageJson(options),
    'tsconfig.json': TSCONFIG,
    'kobza.yaml': KOBZA_YAML,
    'plugins/plain-answer.js': SCORER,
    'plugins/map-store.js': STORE,
    'ranking.jsonl': `${RANKING}\n`,
    'README.md': README(options.name),
    '.gitignore': 'node_modules/\ndata/\n',
  };
}
