import { Command, Option } from 'commander';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `rampart policy test|apply`: Kyverno-compatible policies, offline. */
export function registerPolicyCommand(program: Command, setExitCode: (code: number) => void): void {
  const policy = program
    .command('policy')
    .summary('test and apply Kyverno-compatible policies offline')
    .description(
      'Runs Kyverno ClusterPolicy/Policy (validate: pattern, anyPattern, deny, foreach, podSecurity, cel), Kyverno ' +
        'ValidatingPolicy and Kubernetes ValidatingAdmissionPolicy documents with the same engine the admission ' +
        'webhook uses. Policies are used unchanged.',
    );

  policy
    .command('test')
    .summary('run kyverno-test.yaml suites and compare with their expected results')
    .description(
      'Find every kyverno-test.yaml under DIR (the Kyverno CLI test format: policies, resources, variables/values ' +
        'files, expected results), run it and print a pass/fail table and `N passed, N failed`. Exit code 1 when an ' +
        'expected result does not match; mutate/generate expectations are listed as not supported.',
    )
    .argument('<dir>', 'folder to search for kyverno-test.yaml files')
    .option('--detailed-results', 'list every checked result, not only mismatches')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action(async (dir: string, flags: { detailedResults?: boolean; format: 'table' | 'json' }) => {
      const { executePolicyTest } = await import('../policy-action.js');
      setExitCode(await executePolicyTest(dir, flags));
    });

  policy
    .command('apply')
    .summary('evaluate policies against manifests')
    .description(
      'Evaluate the policies in -p (files or folders, YAML, multi-document) against the resources in -r (files or ' +
        'folders; `kind: List` expanded) and print one row per (policy, rule, resource) with pass/fail/skip/warn/error. ' +
        'Exit code 1 when a rule fails (or errors); with --audit-warn, failures of Audit policies are warnings.',
    )
    .requiredOption('-p, --policy <path>', 'policy file or folder (repeatable)', collect)
    .requiredOption('-r, --resource <path>', 'resource file or folder (repeatable)', collect)
    .option('--audit-warn', 'report failures of Audit-mode rules as warnings (exit 0 for them)')
    .addOption(
      new Option('--operation <op>', 'admission operation to simulate')
        .choices(['CREATE', 'UPDATE', 'DELETE'])
        .default('CREATE'),
    )
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action(
      async (flags: {
        policy: string[];
        resource: string[];
        auditWarn?: boolean;
        operation: 'CREATE' | 'UPDATE' | 'DELETE';
        format: 'table' | 'json';
      }) => {
        const { executePolicyApply } = await import('../policy-action.js');
        setExitCode(await executePolicyApply(flags));
      },
    );
}
