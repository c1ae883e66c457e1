/**
 * Restricted checks of the Pod Security Standards (pod-security-admission `policy/check_*.go`,
 * Kyverno's fork with field errors).
 */
import { inUserNamespace, isWindowsPod, procMountStrict, validSeccompType } from './checks-baseline.js';
import { listContainers, podSecurityContextOf, securityContextOf } from './containers.js';
import {
  ALLOWED,
  forbidden,
  forbiddenResult,
  required,
  type CheckFn,
  type PssCheck,
  type PssFieldError,
} from './types.js';
import { asArray, asRecord, asString, joinQuote, pluralize, sortedUnique } from './values.js';
import { Violations } from './violations.js';

function containersClause(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** Inline volume sources the restricted profile allows. */
const ALLOWED_VOLUME_SOURCES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

/** Restricted sources in the order pod-security-admission names them. */
const RESTRICTED_VOLUME_SOURCES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];

const restrictedVolumes: CheckFn = ({ spec }) => {
  const bad = new Violations();
  const types: string[] = [];
  asArray(spec['volumes']).forEach((item, index) => {
    const volume = asRecord(item);
    if (!volume) return;
    if (ALLOWED_VOLUME_SOURCES.some((source) => present(volume[source]))) return;
    const type = RESTRICTED_VOLUME_SOURCES.find((source) => present(volume[source])) ?? 'unknown';
    types.push(type);
    bad.add(asString(volume['name']) ?? '', forbidden(`spec.volumes[${index}].${type}`));
  });
  if (bad.empty) return ALLOWED;
  const unique = sortedUnique(types);
  return forbiddenResult(
    'restricted volume types',
    `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad.data)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', unique.length)} ${joinQuote(unique)}`,
    bad.errors,
  );
};

const allowPrivilegeEscalation: CheckFn = ({ spec }) => {
  const bad = new Violations();
  for (const ref of listContainers(spec)) {
    const value = securityContextOf(ref.container)?.['allowPrivilegeEscalation'];
    if (value === false) continue;
    const field = `${ref.path}.securityContext.allowPrivilegeEscalation`;
    bad.add(ref.name, present(value) ? forbidden(field, value === true) : required(field));
  }
  if (bad.empty) return ALLOWED;
  return forbiddenResult(
    'allowPrivilegeEscalation != false',
    `${containersClause(bad.data)} must set securityContext.allowPrivilegeEscalation=false`,
    bad.errors,
  );
};

const runAsNonRootStrict: CheckFn = ({ spec }) => {
  const setters = new Violations();
  let podRunAsNonRoot = false;
  const podValue = podSecurityContextOf(spec)?.['runAsNonRoot'];
  if (podValue === false) setters.add('pod', forbidden('spec.securityContext.runAsNonRoot', false));
  else if (podValue === true) podRunAsNonRoot = true;

  const explicitlyBad = new Violations();
  const implicitlyBad = new Violations();
  for (const ref of listContainers(spec)) {
    const value = securityContextOf(ref.container)?.['runAsNonRoot'];
    const field = `${ref.path}.securityContext.runAsNonRoot`;
    if (typeof value === 'boolean') {
      if (!value) explicitlyBad.add(ref.name, forbidden(field, false));
    } else if (!podRunAsNonRoot) {
      implicitlyBad.add(ref.name, required(field));
    }
  }
  if (!explicitlyBad.empty) setters.add(containersClause(explicitlyBad.data), ...explicitlyBad.errors);

  const details: string[] = [];
  const errors: PssFieldError[] = [];
  if (!setters.empty) {
    details.push(`${setters.data.join(' and ')} must not set securityContext.runAsNonRoot=false`);
    errors.push(...setters.errors);
  }
  if (!implicitlyBad.empty) {
    details.push(`pod or ${containersClause(implicitlyBad.data)} must set securityContext.runAsNonRoot=true`);
    errors.push(...implicitlyBad.errors);
  }
  return details.length === 0 ? ALLOWED : forbiddenResult('runAsNonRoot != true', details.join('\n'), errors);
};

const runAsUserStrict: CheckFn = ({ spec }) => {
  const setters = new Violations();
  if (podSecurityContextOf(spec)?.['runAsUser'] === 0) {
    setters.add('pod', forbidden('spec.securityContext.runAsUser', 0));
  }
  const containers = new Violations();
  for (const ref of listContainers(spec)) {
    if (securityContextOf(ref.container)?.['runAsUser'] === 0) {
      containers.add(ref.name, forbidden(`${ref.path}.securityContext.runAsUser`, 0));
    }
  }
  if (!containers.empty) setters.add(containersClause(containers.data), ...containers.errors);
  if (setters.empty) return ALLOWED;
  return forbiddenResult(
    'runAsUser=0',
    `${setters.data.join(' and ')} must not set runAsUser=0`,
    setters.errors,
  );
};

const seccompRestricted: CheckFn = ({ spec }) => {
  const setters = new Violations();
  const badValues: string[] = [];
  let podSeccompSet = false;
  const podProfile = asRecord(podSecurityContextOf(spec)?.['seccompProfile']);
  if (podProfile) {
    if (validSeccompType(podProfile['type'])) podSeccompSet = true;
    else {
      const type = String(podProfile['type'] ?? '');
      setters.add('pod', forbidden('spec.securityContext.seccompProfile.type', type));
      badValues.push(type);
    }
  }
  const explicitlyBad = new Violations();
  const implicitlyBad = new Violations();
  for (const ref of listContainers(spec)) {
    const field = `${ref.path}.securityContext.seccompProfile.type`;
    const profile = asRecord(securityContextOf(ref.container)?.['seccompProfile']);
    if (profile) {
      if (!validSeccompType(profile['type'])) {
        const type = String(profile['type'] ?? '');
        explicitlyBad.add(ref.name, forbidden(field, type));
        badValues.push(type);
      }
    } else if (!podSeccompSet) {
      implicitlyBad.add(ref.name, required(field));
    }
  }
  if (!explicitlyBad.empty) setters.add(containersClause(explicitlyBad.data), ...explicitlyBad.errors);
  if (!setters.empty) {
    return forbiddenResult(
      'seccompProfile',
      `${setters.data.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedUnique(badValues))}`,
      setters.errors,
    );
  }
  if (!implicitlyBad.empty) {
    return forbiddenResult(
      'seccompProfile',
      `pod or ${containersClause(implicitlyBad.data)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
      implicitlyBad.errors,
    );
  }
  return ALLOWED;
};

const capabilitiesRestricted: CheckFn = ({ spec }) => {
  const missingDropAll = new Violations();
  const addingForbidden = new Violations();
  const forbiddenCapabilities: string[] = [];
  for (const ref of listContainers(spec)) {
    const capabilities = asRecord(securityContextOf(ref.container)?.['capabilities']);
    const dropField = `${ref.path}.securityContext.capabilities.drop`;
    if (!capabilities) {
      missingDropAll.add(ref.name, required(dropField));
      continue;
    }
    const drop = asArray(capabilities['drop']).map((cap) => String(cap));
    if (!drop.includes('ALL')) {
      missingDropAll.add(
        ref.name,
        drop.length > 0 ? forbidden(dropField, sortedUnique(drop)) : required(dropField),
      );
    }
    const added = asArray(capabilities['add'])
      .map((cap) => String(cap))
      .filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (added.length > 0) {
      forbiddenCapabilities.push(...added);
      addingForbidden.add(
        ref.name,
        forbidden(`${ref.path}.securityContext.capabilities.add`, sortedUnique(added)),
      );
    }
  }
  const details: string[] = [];
  if (!missingDropAll.empty) {
    details.push(
      `${containersClause(missingDropAll.data)} must set securityContext.capabilities.drop=["ALL"]`,
    );
  }
  if (!addingForbidden.empty) {
    details.push(
      `${containersClause(addingForbidden.data)} must not include ${joinQuote(sortedUnique(forbiddenCapabilities))} in securityContext.capabilities.add`,
    );
  }
  if (details.length === 0) return ALLOWED;
  return forbiddenResult('unrestricted capabilities', details.join('; '), [
    ...missingDropAll.errors,
    ...addingForbidden.errors,
  ]);
};

const exemptWindows =
  (check: CheckFn): CheckFn =>
  (pod) =>
    isWindowsPod(pod) ? ALLOWED : check(pod);

const relaxForUserNamespaces =
  (check: CheckFn): CheckFn =>
  (pod) =>
    inUserNamespace(pod) ? ALLOWED : check(pod);

export const RESTRICTED_CHECKS: readonly PssCheck[] = [
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    versions: [
      { minimumMinor: 8, check: allowPrivilegeEscalation },
      { minimumMinor: 25, check: exemptWindows(allowPrivilegeEscalation) },
    ],
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    versions: [
      { minimumMinor: 22, check: capabilitiesRestricted },
      { minimumMinor: 25, check: exemptWindows(capabilitiesRestricted) },
    ],
  },
  {
    id: 'procMount_restricted',
    level: 'restricted',
    versions: [{ minimumMinor: 35, check: procMountStrict }],
  },
  { id: 'restrictedVolumes', level: 'restricted', versions: [{ minimumMinor: 0, check: restrictedVolumes }] },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    versions: [
      { minimumMinor: 0, check: runAsNonRootStrict },
      { minimumMinor: 35, check: relaxForUserNamespaces(runAsNonRootStrict) },
    ],
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    versions: [
      { minimumMinor: 23, check: runAsUserStrict },
      { minimumMinor: 35, check: relaxForUserNamespaces(runAsUserStrict) },
    ],
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    versions: [
      { minimumMinor: 19, check: seccompRestricted },
      { minimumMinor: 25, check: exemptWindows(seccompRestricted) },
    ],
  },
];
