import type { CheckMeta } from '../check.js';
import { runText, simpleCommands, type Instruction, type ParsedDockerfile, type Stage } from './parse.js';
import { parseImageRef } from '../kubernetes/checks.js';
import { isTrustedImage, type MisconfigOptions } from '../options.js';

export interface DockerHit {
  line: number;
  endLine?: number;
  message: string;
  subject: string;
}

export interface DockerCheck extends CheckMeta {
  run(df: DockerfileModel, opts: MisconfigOptions): DockerHit[];
}

/** The parsed file plus the facts several checks need. */
export interface DockerfileModel extends ParsedDockerfile {
  /** ARG defaults declared before the first FROM (used to resolve `FROM $IMAGE`). */
  globalArgs: Map<string, string>;
}

const REF = 'https://docs.docker.com/build/building/best-practices/';
const HADOLINT = 'https://github.com/hadolint/hadolint/wiki/';

function hit(ins: Instruction, message: string, subject = `${ins.keyword}@${ins.startLine}`): DockerHit {
  return { line: ins.startLine, endLine: ins.endLine, message, subject };
}
const runs = (df: DockerfileModel) => df.instructions.filter((i) => i.keyword === 'RUN');

export function resolveArgs(s: string, args: ReadonlyMap<string, string>): string {
  return s.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, a: string | undefined, b: string | undefined) => {
      const v = args.get((a ?? b)!);
      return v ?? whole;
    },
  );
}

function stageAliases(df: DockerfileModel, before: number): Set<string> {
  return new Set(df.stages.filter((s) => s.index < before && s.alias).map((s) => s.alias!.toLowerCase()));
}

/** Commands of every RUN, with the instruction they come from. */
function commands(df: DockerfileModel): { ins: Instruction; cmds: string[][] }[] {
  return runs(df).map((ins) => ({ ins, cmds: simpleCommands(runText(ins)) }));
}

/** A package-manager install in a RUN without its cleanup in the same RUN. */
function cleanCheck(id: string, trivy: string, tool: string, install: RegExp, clean: RegExp): DockerCheck {
  return {
    id,
    title: `'${tool} clean' missing after '${tool} install'`,
    severity: 'low',
    description: `Package caches left by '${tool} install' bloat the image layer; clean them in the same RUN.`,
    remediation: `Append \`&& ${tool} clean all\` to the RUN that installs packages.`,
    references: [REF],
    equivalents: { trivy: [trivy] },
    run: (df) =>
      runs(df).flatMap((ins) => {
        const t = runText(ins);
        return install.test(t) && !clean.test(t)
          ? [hit(ins, `${tool} install without ${tool} clean in the same RUN`)]
          : [];
      }),
  };
}

function isRootUser(u: string): boolean {
  const name = u.trim().split(':')[0]!;
  return name === 'root' || name === '0';
}

const SECRET_NAME =
  /(?:^|_)(?:PASS(?:WORD|WD)?|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)(?:$|_)/i;

/** `ENV a=b c=d` or `ENV a b` → pairs. */
export function keyValues(args: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  if (/^[A-Za-z_][A-Za-z0-9_.-]*=/.test(args)) {
    for (const m of args.matchAll(re)) out.push([m[1]!, m[2]!.replace(/^["']|["']$/g, '')]);
  } else {
    const sp = /^(\S+)\s+([\s\S]*)$/.exec(args);
    if (sp) out.push([sp[1]!, sp[2]!.trim()]);
    else if (args.trim()) out.push([args.trim(), '']);
  }
  return out;
}

function lastStage(df: DockerfileModel): Stage | undefined {
  return df.stages[df.stages.length - 1];
}

export const dockerfileChecks: DockerCheck[] = [
  {
    id: 'docker-latest-tag',
    title: 'Base image with `latest` or no tag',
    severity: 'medium',
    description:
      'A base image without a tag or with `latest` changes under you: builds are not reproducible and a compromised tag is pulled silently.',
    remediation: 'Pin the base image to a version tag, ideally with a digest (`FROM image:1.2.3@sha256:…`).',
    references: [REF, `${HADOLINT}DL3007`],
    equivalents: { trivy: ['DS001'] },
    cwe: ['CWE-1357'],
    run: (df) =>
      df.stages.flatMap((s) => {
        const image = resolveArgs(s.image, df.globalArgs);
        if (image.toLowerCase() === 'scratch' || image.includes('$')) return [];
        if (stageAliases(df, s.index).has(image.toLowerCase())) return [];
        const ref = parseImageRef(image);
        if (ref.digest) return [];
        return ref.tag === undefined || ref.tag === 'latest'
          ? [hit(s.from, `FROM ${image} has no fixed tag`, `stage-${s.index}`)]
          : [];
      }),
  },
  {
    id: 'docker-root-user',
    title: 'Image runs as root',
    severity: 'high',
    description:
      'Without a `USER` instruction (or with `USER root` last), the container’s processes run as root: a compromise of the application is a compromise of the container and a step towards the host.',
    remediation: 'Create an unprivileged user and add `USER <name or uid>` at the end of the final stage.',
    references: [REF, `${HADOLINT}DL3002`],
    standards: ['CIS Docker 4.1'],
    equivalents: { trivy: ['DS002'] },
    cwe: ['CWE-250'],
    run: (df) => {
      const last = lastStage(df);
      if (!last) return [];
      // Follow `FROM <earlier stage>` chains: a stage inherits the user of the stage it starts from.
      let stage: Stage | undefined = last;
      const seen = new Set<number>();
      while (stage && !seen.has(stage.index)) {
        seen.add(stage.index);
        const users = df.instructions.filter((i) => i.stage === stage!.index && i.keyword === 'USER');
        const u = users[users.length - 1];
        if (u) return isRootUser(u.args) ? [hit(u, `the last USER is ${u.args.trim()}`, 'user')] : [];
        const from = stage.image.toLowerCase();
        stage = df.stages.find((s) => s.index < stage!.index && s.alias?.toLowerCase() === from);
      }
      return [
        {
          line: last.from.startLine,
          message: 'no USER instruction: the image runs as root',
          subject: 'user',
        },
      ];
    },
  },
  {
    id: 'docker-port-22',
    title: 'SSH port 22 exposed',
    severity: 'medium',
    description:
      'Running an SSH server in a container widens the attack surface; use `docker exec`/`kubectl exec` instead.',
    remediation: 'Remove `EXPOSE 22` and the SSH server.',
    references: [REF],
    equivalents: { trivy: ['DS004'] },
    cwe: ['CWE-284'],
    run: (df) =>
      df.instructions
        .filter((i) => i.keyword === 'EXPOSE' && i.args.split(/\s+/).some((p) => /^22(?:\/tcp)?$/i.test(p)))
        .map((i) => hit(i, 'EXPOSE 22')),
  },
  {
    id: 'docker-add-instead-of-copy',
    title: 'ADD used instead of COPY',
    severity: 'low',
    description:
      'ADD also fetches URLs and unpacks archives, which makes its effect less obvious than COPY; use COPY for plain files.',
    remediation: 'Use COPY, unless the source is a local tar archive to extract.',
    references: [REF, `${HADOLINT}DL3020`],
    equivalents: { trivy: ['DS005'] },
    run: (df) =>
      df.instructions
        .filter((i) => i.keyword === 'ADD' && i.heredocs.length === 0)
        .filter((i) => {
          const parts = (i.json ?? i.args.split(/\s+/)).slice(0, -1);
          return !parts.some(
            (p) =>
              /\.(?:tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$/i.test(p) && !/^https?:/i.test(p),
          );
        })
        .map((i) => hit(i, `ADD ${i.args.slice(0, 60)}`)),
  },
  {
    id: 'docker-add-url',
    title: 'ADD of a remote URL',
    severity: 'medium',
    description: 'ADD of a URL downloads content at build time without any integrity check.',
    remediation:
      'Download with curl/wget and verify a checksum (or use `ADD --checksum=sha256:…`), or vendor the file.',
    references: [REF],
    cwe: ['CWE-494'],
    run: (df) =>
      df.instructions
        .filter(
          (i) =>
            i.keyword === 'ADD' &&
            !i.flags.checksum &&
            (i.json ?? i.args.split(/\s+/)).slice(0, -1).some((p) => /^https?:\/\//i.test(p)),
        )
        .map((i) => hit(i, 'ADD downloads a URL without a checksum')),
  },
  {
    id: 'docker-copy-from-self',
    title: 'COPY --from refers to the current stage',
    severity: 'high',
    description: 'A stage cannot copy from itself; the build fails or copies from an unexpected image.',
    remediation: 'Point `--from` at an earlier stage or an image.',
    references: [`${HADOLINT}DL3023`],
    equivalents: { trivy: ['DS006'] },
    run: (df) =>
      df.instructions
        .filter((i) => i.keyword === 'COPY' && i.flags.from !== undefined)
        .filter((i) => {
          const s = df.stages[i.stage];
          return s?.alias !== undefined && s.alias.toLowerCase() === i.flags.from!.toLowerCase();
        })
        .map((i) => hit(i, `COPY --from=${i.flags.from} in stage ${i.flags.from}`)),
  },
  ...(['ENTRYPOINT', 'CMD', 'HEALTHCHECK'] as const).map((kw): DockerCheck => ({
    id: `docker-multiple-${kw.toLowerCase()}`,
    title: `Multiple ${kw} instructions`,
    severity: kw === 'HEALTHCHECK' ? 'low' : 'medium',
    description: `Only the last ${kw} of a stage takes effect; earlier ones are misleading.`,
    remediation: `Keep a single ${kw} per stage.`,
    references: [REF],
    equivalents: { trivy: [kw === 'ENTRYPOINT' ? 'DS007' : kw === 'CMD' ? 'DS016' : 'DS023'] },
    run: (df) =>
      df.stages.flatMap((s) => {
        const list = df.instructions.filter((i) => i.stage === s.index && i.keyword === kw);
        return list.slice(1).map((i) => hit(i, `${kw} repeated in stage ${s.alias ?? s.index}`));
      }),
  })),
  {
    id: 'docker-port-out-of-range',
    title: 'Exposed port out of range',
    severity: 'medium',
    description: 'Ports must be between 0 and 65535.',
    remediation: 'Fix the port number.',
    references: ['https://docs.docker.com/reference/dockerfile/#expose'],
    equivalents: { trivy: ['DS008'] },
    run: (df) =>
      df.instructions
        .filter(
          (i) =>
            i.keyword === 'EXPOSE' &&
            i.args.split(/\s+/).some((p) => /^\d+/.test(p) && Number(/^\d+/.exec(p)![0]) > 65535),
        )
        .map((i) => hit(i, `EXPOSE ${i.args}`)),
  },
  {
    id: 'docker-workdir-relative',
    title: 'WORKDIR path not absolute',
    severity: 'medium',
    description: 'A relative WORKDIR depends on the previous one and is easy to get wrong.',
    remediation: 'Use an absolute path in WORKDIR.',
    references: [`${HADOLINT}DL3000`],
    equivalents: { trivy: ['DS009'] },
    run: (df) =>
      df.instructions
        .filter((i) => i.keyword === 'WORKDIR')
        .filter((i) => {
          const p = i.args.trim().replace(/^["']|["']$/g, '');
          return !(p.startsWith('/') || p.startsWith('$') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\'));
        })
        .map((i) => hit(i, `WORKDIR ${i.args.trim()} is relative`)),
  },
  {
    id: 'docker-sudo',
    title: 'RUN uses sudo',
    severity: 'high',
    description:
      'sudo in a build has unpredictable TTY and signal behaviour and implies sudo is installed in the image.',
    remediation: 'Run the commands as root before `USER`, or use gosu in entrypoints.',
    references: [`${HADOLINT}DL3004`],
    equivalents: { trivy: ['DS010'] },
    cwe: ['CWE-250'],
    run: (df) =>
      runs(df)
        .filter((i) => /(?:^|[;&|(\s])sudo\s/.test(runText(i)))
        .map((i) => hit(i, 'RUN uses sudo')),
  },
  {
    id: 'docker-copy-dest-slash',
    title: 'COPY of several sources to a destination without a trailing slash',
    severity: 'medium',
    description: 'With more than one source, the destination must be a directory ending with `/`.',
    remediation: 'End the destination with `/`.',
    references: ['https://docs.docker.com/reference/dockerfile/#copy'],
    equivalents: { trivy: ['DS011'] },
    run: (df) =>
      df.instructions
        .filter((i) => i.keyword === 'COPY' && i.heredocs.length === 0)
        .filter((i) => {
          const parts = i.json ?? i.args.split(/\s+/).filter(Boolean);
          return parts.length > 2 && !parts[parts.length - 1]!.endsWith('/');
        })
        .map((i) => hit(i, 'COPY with several sources to a destination not ending with /')),
  },
  {
    id: 'docker-duplicate-alias',
    title: 'Duplicate stage aliases',
    severity: 'high',
    description: 'Two stages with the same alias make `COPY --from` ambiguous.',
    remediation: 'Give each stage a unique alias.',
    references: ['https://docs.docker.com/build/building/multi-stage/'],
    equivalents: { trivy: ['DS012'] },
    run: (df) => {
      const seen = new Set<string>();
      return df.stages.flatMap((s) => {
        if (!s.alias) return [];
        const a = s.alias.toLowerCase();
        if (seen.has(a)) return [hit(s.from, `alias ${s.alias} is used twice`, `stage-${s.index}`)];
        seen.add(a);
        return [];
      });
    },
  },
  {
    id: 'docker-run-cd',
    title: "'RUN cd …' instead of WORKDIR",
    severity: 'info',
    description:
      'A `cd` inside RUN changes directory for that RUN only and hides where the following commands run; WORKDIR states the intent and persists.',
    remediation: 'Use WORKDIR to change directory.',
    references: [`${HADOLINT}DL3003`],
    equivalents: { trivy: ['DS013'] },
    run: (df) =>
      commands(df)
        .filter((r) => r.cmds.some((c) => c[0] === 'cd'))
        .map((r) => hit(r.ins, 'RUN changes directory with cd')),
  },
  {
    id: 'docker-wget-and-curl',
    title: 'Both wget and curl used',
    severity: 'info',
    description: 'Using both wget and curl installs two tools for the same job.',
    remediation: 'Pick one of wget or curl.',
    references: [`${HADOLINT}DL4001`],
    equivalents: { trivy: ['DS014'] },
    run: (df) => {
      const all = commands(df);
      const uses = (tool: string) => all.filter((r) => r.cmds.some((c) => c[0] === tool));
      const w = uses('wget');
      const c = uses('curl');
      if (!w.length || !c.length) return [];
      const later = w[0]!.ins.startLine > c[0]!.ins.startLine ? w[0]! : c[0]!;
      return [hit(later.ins, 'both wget and curl are used', 'wget-curl')];
    },
  },
  cleanCheck(
    'docker-yum-clean',
    'DS015',
    'yum',
    /\byum(?:\s+-\S+)*\s+(?:install|groupinstall|localinstall)\b/,
    /\byum\s+clean\s+all\b/,
  ),
  cleanCheck(
    'docker-dnf-clean',
    'DS019',
    'dnf',
    /\bt?dnf(?:\s+-\S+)*\s+(?:install|groupinstall|localinstall)\b/,
    /\bt?dnf\s+clean\s+all\b/,
  ),
  cleanCheck(
    'docker-zypper-clean',
    'DS020',
    'zypper',
    /\bzypper(?:\s+-\S+)*\s+(?:install|in)\b/,
    /\bzypper\s+(?:clean|cc)\b/,
  ),
  cleanCheck(
    'docker-microdnf-clean',
    'DS027',
    'microdnf',
    /\bmicrodnf(?:\s+-\S+)*\s+install\b/,
    /\bmicrodnf\s+clean\s+all\b/,
  ),
  {
    id: 'docker-update-alone',
    title: 'Package index update in its own RUN',
    severity: 'medium',
    description:
      'A RUN that only updates the package index is cached separately: later installs use a stale index.',
    remediation: 'Combine the update and the install in one RUN (`apt-get update && apt-get install -y …`).',
    references: [REF, `${HADOLINT}DL3009`],
    equivalents: { trivy: ['DS017'] },
    run: (df) =>
      commands(df)
        .filter((r) => {
          const isUpdate = (c: string[]) =>
            ['apt-get', 'apt', 'apk', 'yum', 'dnf', 'zypper', 'microdnf'].includes(c[0]!) &&
            c.slice(1).some((w) => w === 'update' || w === 'refresh' || w === 'ref');
          const isInstall = (c: string[]) =>
            c.slice(1).some((w) => ['install', 'add', 'upgrade', 'in', 'dist-upgrade'].includes(w));
          return r.cmds.some(isUpdate) && !r.cmds.some((c) => !isUpdate(c) && isInstall(c));
        })
        .map((r) => hit(r.ins, 'package index updated without an install in the same RUN')),
  },
  {
    id: 'docker-apt-no-yes',
    title: "'apt-get install' without -y",
    severity: 'medium',
    description: 'Without `-y` apt-get waits for a confirmation that never comes in a build.',
    remediation: 'Use `apt-get install -y`.',
    references: [`${HADOLINT}DL3014`],
    equivalents: { trivy: ['DS021'] },
    run: (df) =>
      commands(df)
        .filter((r) =>
          r.cmds.some(
            (c) =>
              c[0] === 'apt-get' &&
              c.includes('install') &&
              !c.some(
                (w) =>
                  /^-[a-z]*y[a-z]*$/i.test(w) ||
                  w === '--yes' ||
                  w === '--assume-yes' ||
                  /^-[a-z]*q{2}/.test(w) ||
                  w === '-qq',
              ),
          ),
        )
        .map((r) => hit(r.ins, 'apt-get install without -y')),
  },
  {
    id: 'docker-maintainer',
    title: 'Deprecated MAINTAINER instruction',
    severity: 'info',
    description: 'MAINTAINER is deprecated.',
    remediation: 'Use `LABEL org.opencontainers.image.authors="…"`.',
    references: ['https://docs.docker.com/reference/dockerfile/#maintainer-deprecated'],
    equivalents: { trivy: ['DS022'] },
    run: (df) =>
      df.instructions
        .filter((i) => i.keyword === 'MAINTAINER')
        .map((i) => hit(i, 'MAINTAINER is deprecated')),
  },
  {
    id: 'docker-dist-upgrade',
    title: "'apt-get dist-upgrade' used",
    severity: 'medium',
    description: 'dist-upgrade in a build pulls major changes that belong in a new base image.',
    remediation: 'Use a newer base image instead; `apt-get upgrade` for security patches if needed.',
    references: [REF],
    equivalents: { trivy: ['DS024'] },
    run: (df) =>
      commands(df)
        .filter((r) => r.cmds.some((c) => c[0] === 'apt-get' && c.includes('dist-upgrade')))
        .map((r) => hit(r.ins, 'apt-get dist-upgrade')),
  },
  {
    id: 'docker-apk-no-cache',
    title: "'apk add' without --no-cache",
    severity: 'low',
    description: 'apk keeps its index in the layer unless `--no-cache` is used.',
    remediation: 'Use `apk add --no-cache …`.',
    references: [`${HADOLINT}DL3019`],
    equivalents: { trivy: ['DS025'] },
    run: (df) =>
      commands(df)
        .filter((r) => r.cmds.some((c) => c[0] === 'apk' && c.includes('add') && !c.includes('--no-cache')))
        .map((r) => hit(r.ins, 'apk add without --no-cache')),
  },
  {
    id: 'docker-no-healthcheck',
    title: 'No HEALTHCHECK defined',
    severity: 'low',
    description:
      'Without a HEALTHCHECK the container runtime cannot tell a hung service from a healthy one (Kubernetes uses probes instead).',
    remediation:
      'Add a `HEALTHCHECK` instruction, or rely on Kubernetes liveness/readiness probes and accept this finding.',
    references: ['https://docs.docker.com/reference/dockerfile/#healthcheck'],
    standards: ['CIS Docker 4.6'],
    equivalents: { trivy: ['DS026'] },
    run: (df) =>
      df.stages.length && !df.instructions.some((i) => i.keyword === 'HEALTHCHECK')
        ? [
            {
              line: lastStage(df)!.from.startLine,
              message: 'no HEALTHCHECK instruction',
              subject: 'healthcheck',
            },
          ]
        : [],
  },
  {
    id: 'docker-apt-no-install-recommends',
    title: "'apt-get install' without --no-install-recommends",
    severity: 'low',
    description: 'Recommended packages enlarge the image and its attack surface.',
    remediation: 'Use `apt-get install -y --no-install-recommends …`.',
    references: [`${HADOLINT}DL3015`],
    equivalents: { trivy: ['DS029'] },
    run: (df) =>
      commands(df)
        .filter(
          (r) =>
            r.cmds.some(
              (c) => c[0] === 'apt-get' && c.includes('install') && !c.includes('--no-install-recommends'),
            ) && !/APT::Install-Recommends\s*=?\s*["']?(?:false|0)/i.test(runText(r.ins)),
        )
        .map((r) => hit(r.ins, 'apt-get install without --no-install-recommends')),
  },
  {
    id: 'docker-workdir-system-dir',
    title: 'WORKDIR on a system directory',
    severity: 'medium',
    description: 'Using /proc, /sys, /dev or /boot as WORKDIR writes into kernel or device file systems.',
    remediation: 'Use an application directory such as /app.',
    references: [REF],
    equivalents: { trivy: ['DS030'] },
    run: (df) =>
      df.instructions
        .filter(
          (i) => i.keyword === 'WORKDIR' && /^["']?\/(?:proc|sys|dev|boot)(?:\/|["']?$)/.test(i.args.trim()),
        )
        .map((i) => hit(i, `WORKDIR ${i.args.trim()}`)),
  },
  {
    id: 'docker-secret-in-env-arg',
    title: 'Secret in ENV or ARG',
    severity: 'high',
    description:
      'ENV values are stored in the image config and ARG values in its history: anyone who can pull the image reads them.',
    remediation:
      'Use BuildKit secret mounts (`RUN --mount=type=secret,id=…`) at build time and inject runtime secrets from the orchestrator.',
    references: ['https://docs.docker.com/build/building/secrets/'],
    equivalents: { trivy: ['DS031'] },
    cwe: ['CWE-798'],
    run: (df) =>
      df.instructions
        .filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')
        .flatMap((i) =>
          keyValues(i.args)
            .filter(
              ([k, v]) =>
                SECRET_NAME.test(k) &&
                (i.keyword === 'ENV' ? v.length > 0 && !/^\$/.test(v) : true) &&
                !/_(?:FILE|PATH|DIR|URL|NAME|ID)$/i.test(k),
            )
            .map(([k]) => hit(i, `${i.keyword} ${k} carries a secret-looking value`, `${i.keyword}/${k}`)),
        ),
  },
  {
    id: 'docker-curl-pipe-shell',
    title: 'Remote script piped to a shell',
    severity: 'high',
    description: '`curl … | sh` runs whatever the server returns at build time, without any integrity check.',
    remediation:
      'Download the script, verify its checksum or signature, then run it; or install from a package manager.',
    references: ['https://docs.docker.com/build/building/best-practices/#using-pipes'],
    cwe: ['CWE-494'],
    run: (df) =>
      runs(df)
        .filter((i) =>
          /\b(?:curl|wget)\b[^|;&\n]*\|\s*(?:sudo\s+)?(?:-\S+\s+)*(?:ba|z|da)?sh\b/.test(runText(i)),
        )
        .map((i) => hit(i, 'a downloaded script is piped to a shell')),
  },
  {
    id: 'docker-untrusted-base',
    title: 'Base image from a registry outside the trusted list',
    severity: 'medium',
    description:
      'Base images should come only from registries the organisation controls or trusts, where they are scanned and signed. Active when `misconfig.trustedRegistries` is configured.',
    remediation:
      'Mirror the base image into a trusted registry (e.g. your Azure Container Registry) and build FROM there.',
    references: ['https://learn.microsoft.com/azure/container-registry/buffer-gate-public-content'],
    cwe: ['CWE-829'],
    run: (df, opts) =>
      opts.trustedRegistries.length === 0
        ? []
        : df.stages.flatMap((s) => {
            const image = resolveArgs(s.image, df.globalArgs);
            if (
              image.toLowerCase() === 'scratch' ||
              image.includes('$') ||
              stageAliases(df, s.index).has(image.toLowerCase())
            )
              return [];
            return isTrustedImage(image, opts.trustedRegistries)
              ? []
              : [hit(s.from, `FROM ${image} is not from a trusted registry`, `stage-${s.index}`)];
          }),
  },
  {
    id: 'docker-non-minimal-base',
    title: 'Non-minimal base image for the final stage',
    severity: 'info',
    description:
      'Full distribution images carry shells, package managers and hundreds of packages the application does not need; each is attack surface and CVE noise.',
    remediation:
      'Build in a full image and ship in a minimal one: distroless (gcr.io/distroless/*), Alpine, `*-slim`, Azure Linux (mcr.microsoft.com/azurelinux/distroless/*) or scratch.',
    references: [
      'https://github.com/GoogleContainerTools/distroless',
      'https://learn.microsoft.com/azure/azure-linux/',
    ],
    run: (df) => {
      const last = lastStage(df);
      if (!last) return [];
      const image = resolveArgs(last.image, df.globalArgs).toLowerCase();
      if (stageAliases(df, last.index).has(image) || image.includes('$')) return [];
      const name = image.split('@')[0]!;
      const repo =
        name
          .replace(/:[^/]*$/, '')
          .split('/')
          .pop() ?? '';
      const tag = /:([^/]*)$/.exec(name)?.[1] ?? '';
      const full = [
        'ubuntu',
        'debian',
        'centos',
        'fedora',
        'rockylinux',
        'almalinux',
        'amazonlinux',
        'oraclelinux',
        'node',
        'python',
        'golang',
        'openjdk',
        'ruby',
        'php',
        'perl',
        'buildpack-deps',
      ];
      if (!full.includes(repo) || /slim|alpine|distroless|minimal|micro/.test(tag)) return [];
      return [
        hit(
          last.from,
          `final stage is based on ${image}; consider distroless, Alpine, a -slim variant or Azure Linux`,
          'base',
        ),
      ];
    },
  },
];
