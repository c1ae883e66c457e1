/** Builds small SARIF 2.1.0 logs for server tests (shape of what CodeQL/Semgrep emit). */
export interface SarifResultSpec {
  ruleId: string;
  path: string;
  line?: number;
  /** partialFingerprints.primaryLocationLineHash */
  fp: string;
  level?: 'error' | 'warning' | 'note';
  securitySeverity?: string;
  message?: string;
}

export function sarifLog(tool: string, results: SarifResultSpec[]): string {
  const ruleIds = [...new Set(results.map((r) => r.ruleId))];
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: tool,
            rules: ruleIds.map((id) => ({
              id,
              shortDescription: { text: `rule ${id}` },
              properties: {
                ...(results.find((r) => r.ruleId === id)?.securitySeverity
                  ? { 'security-severity': results.find((r) => r.ruleId === id)!.securitySeverity }
                  : {}),
              },
            })),
          },
        },
        results: results.map((r) => ({
          ruleId: r.ruleId,
          level: r.level ?? 'warning',
          message: { text: r.message ?? `problem ${r.ruleId} in ${r.path}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: r.path },
                region: { startLine: r.line ?? 1 },
              },
            },
          ],
          partialFingerprints: { primaryLocationLineHash: r.fp },
        })),
      },
    ],
  });
}

/** n distinct results for benches and volume tests. */
export function manyResults(n: number, seed: string, tool = 'CodeQL'): string {
  const results: SarifResultSpec[] = [];
  for (let i = 0; i < n; i++)
    results.push({
      ruleId: `js/rule-${i % 40}`,
      path: `src/module-${seed}/file-${i % 97}.js`,
      line: 1 + (i % 500),
      fp: `${seed}:${i}`,
      level: i % 7 === 0 ? 'error' : 'warning',
      securitySeverity: i % 11 === 0 ? '9.1' : undefined,
    });
  return sarifLog(tool, results);
}
