/**
 * `npm run bench`: runs every benchmark in turn. Each prints ratios measured side by side
 * in the same run; each also runs alone with `npx tsx bench/<name>.ts`.
 */
const BENCHES: { name: string; load: () => Promise<{ run(): Promise<void> }> }[] = [
  { name: 'overhead', load: () => import('./overhead.js') },
  { name: 'text-verify', load: () => import('./text-verify.js') },
  { name: 'ranking', load: () => import('./ranking.js') },
  { name: 'http', load: () => import('./http.js') },
  { name: 'telegram', load: () => import('./telegram.js') },
  { name: 'cache', load: () => import('./cache.js') },
  { name: 'knowledge', load: () => import('./knowledge.js') },
];

const only = process.argv.slice(2);
for (const bench of BENCHES) {
  if (only.length && !only.includes(bench.name)) continue;
  process.stdout.write(`\n=== ${bench.name} ===\n`);
  const mod = await bench.load();
  await mod.run();
}
