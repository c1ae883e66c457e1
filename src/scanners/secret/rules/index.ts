import type { SecretRule } from '../rule.js';
import { cloudRules } from './cloud.js';
import { vcsCiRules } from './vcs-ci.js';
import { registryRules } from './registries.js';
import { chatRules } from './chat.js';
import { paymentRules } from './payment.js';
import { saasRules } from './saas.js';
import { keyRules } from './keys.js';
import { connectionRules } from './connection.js';
import { longtailRules } from './longtail.js';

/**
 * Every provider-specific rule, grouped by family. The scanner adds `genericRules` (rules/generic.ts)
 * after these; when a provider rule and the generic rule match overlapping spans, the provider rule
 * wins.
 */
export const providerRuleFamilies: Readonly<Record<string, readonly SecretRule[]>> = {
  cloud: cloudRules,
  'vcs-ci': vcsCiRules,
  registries: registryRules,
  chat: chatRules,
  payment: paymentRules,
  saas: saasRules,
  keys: keyRules,
  connection: connectionRules,
  /** Long-tail providers (name + fixed-shape token); after the specific families. */
  longtail: longtailRules,
};

export const providerRules: SecretRule[] = Object.values(providerRuleFamilies).flat();
