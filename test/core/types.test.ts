/**
 * Type-level checks (run by `tsc --noEmit` over test/, and as no-ops by vitest): a
 * plugin's `register` receives its schema's output type; `resolve` is typed by token,
 * including tokens and metadata keys added by module augmentation — declared here on
 * `core/index.js` exactly as a user declares them on `'kobza'`.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { definePlugin, type Adapter, type ChatRequest, type Embedder, type LlmProvider, type Middleware, type PluginContext, type RequestMetadata, type Scorer } from '../../core/index.js';

interface Glossary {
  define(term: string): string | undefined;
}

declare module '../../core/index.js' {
  interface Services {
    TypeTestGlossary: Glossary;
  }
  interface RequestMetadata {
    typeTestTenant?: string;
  }
}

describe('types', () => {
  it('register receives the output type of the config schema (defaults applied, transforms run)', () => {
    const plugin = definePlugin({
      name: 'typed',
      configSchema: z.strictObject({ weight: z.number().default(1), words: z.string().transform((s) => s.split(',')).optional() }),
      register(_ctx, config) {
        expectTypeOf(config).toEqualTypeOf<{ weight: number; words?: string[] | undefined }>();
      },
    });
    expectTypeOf(plugin.register).parameter(1).toEqualTypeOf<{ weight: number; words?: string[] | undefined }>();
    // Without a schema, the config is unknown.
    const bare = definePlugin({ name: 'bare', register: () => {} });
    expectTypeOf(bare.register).parameter(1).toBeUnknown();
    expect(plugin.name).toBe('typed');
  });

  it('resolve / tryResolve / resolveAll / provide are typed by token', () => {
    expectTypeOf<ReturnType<PluginContext['resolve']>>().not.toBeAny();
    const check = (ctx: PluginContext) => {
      expectTypeOf(ctx.resolve('LlmProvider')).toEqualTypeOf<LlmProvider>();
      expectTypeOf(ctx.tryResolve('Embedder')).toEqualTypeOf<Embedder | undefined>();
      expectTypeOf(ctx.resolveAll('Scorer')).toEqualTypeOf<Scorer[]>();
      expectTypeOf(ctx.resolveAll('Middleware')).toEqualTypeOf<Middleware[]>();
      expectTypeOf(ctx.resolveAll('Adapter')).toEqualTypeOf<Adapter[]>();
      // The augmented token is typed both ways.
      expectTypeOf(ctx.resolve('TypeTestGlossary')).toEqualTypeOf<Glossary>();
      ctx.provide('TypeTestGlossary', { define: () => undefined });
      // @ts-expect-error a glossary is not an LLM provider
      ctx.provide('LlmProvider', { define: () => undefined });
      // @ts-expect-error an unknown token
      ctx.resolve('Nope');
      // @ts-expect-error many-valued tokens are read with resolveAll
      ctx.resolve('Scorer');
      // @ts-expect-error a single slot is not a list
      ctx.resolveAll('LlmProvider');
      // @ts-expect-error the raw container is not part of the context
      void ctx.container;
    };
    expect(typeof check).toBe('function');
  });

  it('request metadata is typed, known keys and augmented ones', () => {
    expectTypeOf<ChatRequest['metadata']>().toEqualTypeOf<RequestMetadata>();
    expectTypeOf<RequestMetadata['replayCharsPerSecond']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<RequestMetadata['typeTestTenant']>().toEqualTypeOf<string | undefined>();
    const metadata: RequestMetadata = { adapter: 'http', cache: 'off', typeTestTenant: 'faq' };
    // @ts-expect-error cache is only ever 'off'
    const wrong: RequestMetadata = { cache: 'maybe' };
    expect([metadata.cache, wrong.cache]).toEqual(['off', 'maybe']);
  });
});
