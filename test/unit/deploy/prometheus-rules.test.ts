import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPromMetrics } from '../../../src/http/metrics.js';

const ROOT = new URL('../../../', import.meta.url);
const RULES = readFileSync(new URL('deploy/prometheus-rules.yml', ROOT), 'utf8');
const README = readFileSync(new URL('README.md', ROOT), 'utf8');

/** Every metric a fully wired process exports (the gauges read at scrape time included). */
async function exportedNames(): Promise<Set<string>> {
  const metrics = createPromMetrics({
    queueCounts: async () => ({ waiting: 0 }),
    inFlight: async () => 0,
    dependencies: () => ({ redis: true, oxen_events: true }),
    build: { version: '0.0.0', role: 'all' },
  });
  const json = await metrics.registry.getMetricsAsJSON();
  return new Set(json.map((m) => m.name));
}

/** `animate_*` names in a text, histogram suffixes folded into the histogram's name. */
function animateNames(text: string): Set<string> {
  const names = text.match(/\banimate_[a-z_]+\b/g) ?? [];
  return new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, '')));
}

describe('deploy/prometheus-rules.yml', () => {
  it('should name only metrics the program exports', async () => {
    const exported = await exportedNames();
    const named = [...animateNames(RULES)];

    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('should give every rule an expression, a severity and a summary', () => {
    const rules = RULES.split(/\n\s+- alert: /).slice(1);

    expect(rules.length).toBeGreaterThan(5);
    for (const rule of rules) {
      expect(rule).toMatch(/\n\s+expr: /);
      expect(rule).toMatch(/\n\s+severity: (critical|warning|info)\n/);
      expect(rule).toMatch(/\n\s+summary: /);
    }
  });
});

describe('README.md, "Health, metrics and alerting"', () => {
  it('should list every animate_ metric the program exports', async () => {
    const listed = animateNames(README);

    expect([...(await exportedNames())].filter((n) => n.startsWith('animate_') && !listed.has(n))).toEqual([]);
  });
});
