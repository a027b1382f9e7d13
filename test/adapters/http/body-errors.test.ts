/**
 * The one error map for request bodies: each refusal names the field, what it accepts (read
 * from the schema) and what was sent, in both APIs.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeSchema, parseBody } from '../../../adapters/http/error-shapes.js';
import { ollamaChatSchema } from '../../../adapters/http/ollama.js';
import { chatCompletionSchema } from '../../../adapters/http/openai.js';

const base = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

function refusal(schema: z.ZodType, body: unknown): { message: string; param: unknown } {
  try {
    parseBody(schema, body, 'req-1');
  } catch (err) {
    const error = err as { code: string; message: string; requestId: string; details: { param?: unknown } };
    expect(error).toMatchObject({ code: 'BAD_REQUEST', requestId: 'req-1' });
    return { message: error.message, param: error.details.param };
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

describe('request body errors', () => {
  it.each([
    [5, 'body: expected an object, got 5'],
    [{ messages: base.messages }, 'model: expected a string, got nothing'],
    [{ ...base, messages: [] }, 'messages: expected an array of objects with at least 1 item, got []'],
    [{ ...base, messages: [{ role: 'user', content: 5 }] }, 'messages[0].content: expected a string, an array of objects or null, got 5'],
    [{ ...base, messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role: expected one of system, developer, user, assistant, tool, function, got "wizard"'],
    [{ ...base, temperature: 3 }, 'temperature: expected a number from 0 to 2, got 3'],
    [{ ...base, max_tokens: 1.5 }, 'max_tokens: expected a whole number, at least 1, got 1.5'],
    [{ ...base, stop: ['a', 5] }, 'stop: expected a string or an array of strings with at most 16 items, got ["a",5]'],
    [{ ...base, stream: 'yes' }, 'stream: expected true or false, got "yes"'],
    [{ ...base, keep_alive: 'soon' }, 'keep_alive: expected a duration such as "5m", "1h30m", or a number of seconds, got "soon"'],
  ])('OpenAI %j → %s', (body, message) => {
    const { message: actual, param } = refusal(chatCompletionSchema, body);
    expect(actual).toBe(message);
    expect(param).toBe(message.slice(0, message.indexOf(':')));
  });

  it.each([
    [{ ...base, options: { temperature: 'warm' } }, 'options.temperature: expected a number, 0 or more, got "warm"'],
    [{ ...base, options: { temperature: 1e39 } }, 'options.temperature: expected a number within float32 range, got 1e+39'],
    [{ ...base, options: { num_ctx: 0 } }, 'options.num_ctx: expected a whole number, at least 1, got 0'],
    [{ ...base, format: 'yaml' }, 'format: expected "json", "" or a JSON object, got "yaml"'],
    [{ ...base, think: 'max' }, 'think: expected true, false, low, medium or high, got "max"'],
    [{ ...base, messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role: expected one of system, user, assistant, tool, got "robot"'],
  ])('Ollama %j → %s', (body, message) => {
    expect(refusal(ollamaChatSchema, body).message).toBe(message);
  });

  it('describes what a schema accepts', () => {
    expect(describeSchema(z.number().int().min(0).max(20))).toBe('a whole number from 0 to 20');
    expect(describeSchema(z.number().max(5))).toBe('a number, at most 5');
    expect(describeSchema(z.array(z.string()).min(1).max(2048))).toBe('an array of strings with 1 to 2048 items');
    expect(describeSchema(z.string().nullable())).toBe('a string or null');
    expect(describeSchema(z.union([z.literal('json'), z.boolean()]))).toBe('"json", true or false');
  });

  it('leaves no global zod configuration behind', () => {
    expect(z.string().safeParse(5).error?.issues[0].message).toBe('Invalid input: expected string, received number');
  });
});
