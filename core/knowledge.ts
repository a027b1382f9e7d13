/**
 * What the knowledge plugin offers others, without them importing it: a search of the
 * knowledge base (`KnowledgeSearch`, for the operator console) and its FAQ's question
 * variants (`FaqVariants`: each FAQ entry's `q` wordings are the same question, so the
 * semantic cache counts them as aliases of one another).
 */

/** One passage found by a knowledge search. */
export interface KnowledgeHit {
  /** The passage's id (`file#heading-slug`, or a FAQ entry's id). */
  id: string;
  /** Heading path of a page section, or the FAQ question. */
  title: string;
  url?: string;
  /** Relevance, 0..1 (best first). */
  score: number;
  text: string;
  /** `page` or `faq`. */
  kind: string;
}

/**
 * Searches the knowledge base (the `KnowledgeSearch` token; the knowledge plugin provides it).
 * @example
 * const hits = ctx.tryResolve('KnowledgeSearch')?.search('Коли сесія?', 5) ?? [];
 */
export interface KnowledgeSearch {
  search(question: string, limit: number): KnowledgeHit[];
}

/**
 * Groups of wordings that are the same question (the `FaqVariants` token): every FAQ
 * entry's `q` variants, as curated. Only groups of two or more.
 * @example
 * for (const group of ctx.tryResolve('FaqVariants')?.groups() ?? []) console.log(group.join(' = '));
 */
export interface FaqVariants {
  groups(): readonly (readonly string[])[];
}

declare module './tokens.js' {
  interface Services {
    /** Search of the knowledge base (the knowledge plugin). */
    KnowledgeSearch: KnowledgeSearch;
    /** The FAQ's question variants (the knowledge plugin). */
    FaqVariants: FaqVariants;
  }
}
