import { describe, expect, it } from 'vitest';
import { chaosBudgetMs, chaosConfigFromEnv, runChaos } from './scenario.js';

const config = chaosConfigFromEnv();

describe('chaos: the pipeline under random faults keeps its money and capacity invariants', () => {
  it(
    `GIVEN ${config.requests} requests under Oxen, SSE and chat faults and SIGKILLed workers THEN every invariant holds once it drains`,
    async () => {
      const report = await runChaos(config, (line) => process.stdout.write(`${line}\n`));
      const broken = report.results.filter((r) => r.violations.length > 0);
      expect(
        broken.map((r) => `${r.name}: ${r.violations.length} (first: ${r.violations[0]})`),
        `seed ${config.seed}: see the chaos: lines above`,
      ).toEqual([]);
    },
    chaosBudgetMs(config),
  );
});
