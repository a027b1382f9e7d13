import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chatCompletionSchema, isPlainChatCompletionBody } from '../../../adapters/http/openai.js';

// The chat route skips the zod schema for plain bodies; that is only right if every body the
// fast check lets through is one the schema accepts and returns unchanged.

const anyValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -5, max: 5 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(2 ** 60, 1e400, -0, 0.5, 1.5, 2, 2.5, 1, 0),
  fc.string({ maxLength: 6 }),
  fc.constant([]),
  fc.constant({}),
  fc.constant({ include_usage: true }),
  fc.constant({ include_usage: 'yes' }),
  fc.constant({ include_obfuscation: true }),
);

/** Mostly values of the right kind (so bodies often pass), sometimes anything. */
const mostly = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: anyValue, weight: 1 });

const message = fc.record(
  {
    role: mostly(fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool', 'function', 'robot', '')),
    content: mostly(fc.oneof(fc.string({ maxLength: 10 }), fc.constant(null), fc.constant([{ type: 'text', text: 'x' }]))),
    name: mostly(fc.string({ maxLength: 4 })),
  },
  { requiredKeys: ['role'] },
);

const body = fc
  .record(
    {
      model: mostly(fc.constantFrom('qwen2.5:7b', '')),
      messages: mostly(fc.array(message, { maxLength: 3 })),
      stream: mostly(fc.oneof(fc.boolean(), fc.constant(null))),
      temperature: mostly(fc.double({ min: -1, max: 3 })),
      top_p: mostly(fc.double({ min: -0.5, max: 1.5 })),
      max_tokens: mostly(fc.integer({ min: -2, max: 4096 })),
      max_completion_tokens: mostly(fc.integer({ min: -2, max: 4096 })),
      seed: mostly(fc.oneof(fc.integer(), fc.constant(2 ** 60))),
      user: mostly(fc.string({ maxLength: 4 })),
      stream_options: mostly(fc.constantFrom({ include_usage: true }, { include_usage: false }, {}, { include_usage: 1 }, null)),
      n: anyValue,
      tools: anyValue,
    },
    { requiredKeys: ['model', 'messages'] },
  )
  .map((candidate) => {
    // Rarely-sent fields stay rare, so most bodies have a chance to be plain.
    const { n, tools, ...rest } = candidate;
    return Math.abs(JSON.stringify(rest).length % 7) === 0 ? { ...rest, n, tools } : rest;
  });

describe('plain chat completion bodies', () => {
  it('whatever the fast check accepts, the schema accepts and returns unchanged', () => {
    let accepted = 0;
    fc.assert(
      fc.property(body, (candidate) => {
        const json = JSON.parse(JSON.stringify(candidate)) as unknown;
        if (!isPlainChatCompletionBody(json)) return;
        accepted++;
        const parsed = chatCompletionSchema.safeParse(json);
        expect(parsed.success).toBe(true);
        expect(parsed.data).toEqual(json);
      }),
      { numRuns: 20_000 },
    );
    expect(accepted).toBeGreaterThan(50);
  });

  it('accepts what clients usually send and leaves the rest to the schema', () => {
    const messages = [
      { role: 'system', content: 'Ти помічник приймальної комісії.' },
      { role: 'user', content: 'Коли вступ?' },
    ];
    expect(isPlainChatCompletionBody({ model: 'qwen2.5:7b', messages })).toBe(true);
    expect(isPlainChatCompletionBody({ model: 'qwen2.5:7b', messages, stream: true, stream_options: { include_usage: true }, temperature: 0.2, max_tokens: 256, seed: 7, user: 'u1' })).toBe(true);
    expect(isPlainChatCompletionBody({ model: 'qwen2.5:7b', messages: [] })).toBe(false);
    expect(isPlainChatCompletionBody({ model: 'qwen2.5:7b', messages, n: 2 })).toBe(false);
    expect(isPlainChatCompletionBody({ model: 'qwen2.5:7b', messages, temperature: 3 })).toBe(false);
    expect(isPlainChatCompletionBody({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] })).toBe(false);
    expect(isPlainChatCompletionBody({ messages })).toBe(false);
  });
});
