/**
 * The adapter's own one-label histogram writes exactly the text prom-client's Histogram
 * writes for the same observations (prom-client is the oracle).
 */
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { OneLabelHistogram } from '../../../adapters/http/metrics.js';

const BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

function both() {
  const ours = new Registry();
  const theirs = new Registry();
  const fast = new OneLabelHistogram({ name: 'kobza_ttft_seconds', help: 'Time to the first chunk', labelName: 'source', buckets: BUCKETS, registry: ours });
  const reference = new Histogram({ name: 'kobza_ttft_seconds', help: 'Time to the first chunk', labelNames: ['source'] as const, buckets: BUCKETS, registers: [theirs] });
  return { ours, theirs, fast, reference };
}

describe('OneLabelHistogram', () => {
  it('exports what prom-client exports for the same observations, bucket edges and label escaping included', async () => {
    const { ours, theirs, fast, reference } = both();
    const observations: [string, number][] = [
      ['cache', 0],
      ['cache', 0.001],
      ['cache', 0.01], // exactly on an edge: counted in le="0.01"
      ['provider', 0.1234],
      ['provider', 29.9],
      ['provider', 31], // above the last edge: only +Inf
      ['ranking', 2],
      ['a "quoted"\\label', 0.3],
    ];
    for (const [source, value] of observations) {
      fast.observe(source, value);
      reference.observe({ source }, value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('kobza_ttft_seconds_bucket{le="0.01",source="cache"} 3');
  });

  it('ignores a value that is not a finite number; reset empties it, as prom-client does', async () => {
    const { ours, theirs, fast, reference } = both();
    fast.observe('cache', Number.NaN);
    fast.observe('cache', 0.2);
    reference.observe({ source: 'cache' }, 0.2);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
