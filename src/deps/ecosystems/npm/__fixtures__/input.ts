import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Component, ParseInput } from '../../../model.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * A ParseInput for `<folder>/<file>` of these fixtures, as the scanner would build it with the
 * fixture folder as scan root; `withSiblings: false` hides package.json and other companions.
 */
export function fixtureInput(folder: string, file: string, withSiblings = true): ParseInput {
  const dir = join(HERE, folder);
  return {
    path: file,
    text: readFileSync(join(dir, file), 'utf8'),
    file: (p) => (withSiblings && existsSync(join(dir, p)) ? readFileSync(join(dir, p), 'utf8') : undefined),
  };
}

export function textInput(path: string, text: string): ParseInput {
  return { path, text, file: () => undefined };
}

/** Components keyed `name@version`. */
export function byKey(components: Component[]): Map<string, Component> {
  return new Map(components.map((c) => [`${c.name}@${c.version}`, c]));
}

/** The `name@version` of each dependsOn id (ids are purls). */
export function depsOf(components: Component[], key: string): string[] {
  const all = byKey(components);
  const ids = new Map(components.map((c) => [c.id, `${c.name}@${c.version}`]));
  return (all.get(key)?.dependsOn ?? []).map((id) => ids.get(id) ?? id).sort();
}
