import { SaxesParser } from 'saxes';

/**
 * The raw content of one pom.xml, as written (no interpolation, no inheritance): what the resolver
 * needs, with the line of each entry. Read with saxes, which never fetches external entities; a
 * DOCTYPE that declares entities is refused outright (entity-expansion attacks).
 */

export interface PomDependency {
  groupId?: string;
  artifactId?: string;
  version?: string;
  scope?: string;
  optional?: string;
  type?: string;
  classifier?: string;
  /** 1-based line of the `<dependency>` tag. */
  line: number;
}

export interface PomParentRef {
  groupId?: string;
  artifactId?: string;
  version?: string;
  /** undefined: element absent (Maven's default `../pom.xml`); '': present and empty (no local lookup). */
  relativePath?: string;
  line: number;
}

export interface PomDocument {
  groupId?: string;
  artifactId?: string;
  version?: string;
  packaging?: string;
  /** Line of the project's own `<artifactId>` (else of `<project>`). */
  line: number;
  parent?: PomParentRef;
  properties: Map<string, string>;
  dependencies: PomDependency[];
  /** `<dependencyManagement><dependencies>` entries, including `import`-scoped BOMs. */
  managed: PomDependency[];
  modules: string[];
  /** `<licenses><license><name>` of the project itself. */
  licenses: string[];
}

export type PomReadResult = { ok: true; pom: PomDocument } | { ok: false; line?: number; message: string };

/** Deepest element nesting accepted (real poms stay far below; plugin configuration is the deepest part). */
const MAX_DEPTH = 200;

const DEPENDENCY_FIELDS = new Set([
  'groupId',
  'artifactId',
  'version',
  'scope',
  'optional',
  'type',
  'classifier',
]);
const PARENT_FIELDS = new Set(['groupId', 'artifactId', 'version', 'relativePath']);
const PROJECT_FIELDS = new Set(['groupId', 'artifactId', 'version', 'packaging']);

class Abort {
  constructor(
    readonly message: string,
    readonly line: number | undefined,
  ) {}
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/** Parses pom.xml text into a {@link PomDocument}; never throws. */
export function readPom(text: string): PomReadResult {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: string[] = [];
  let buffer = '';
  let projectLine = 0;
  let ownArtifactLine: number | undefined;
  const pom: PomDocument = {
    line: 1,
    properties: new Map(),
    dependencies: [],
    managed: [],
    modules: [],
    licenses: [],
  };
  let dependency: PomDependency | undefined;
  let parent: PomParentRef | undefined;

  parser.on('doctype', (doctype) => {
    if (/<!ENTITY/i.test(doctype)) {
      throw new Abort(
        'DOCTYPE with entity declarations is not accepted in a pom.xml (XML entity expansion)',
        parser.line,
      );
    }
  });
  parser.on('error', (err) => {
    const message = err.message.replace(/^(?:[^:\n]*:)?\d+:\d+: /, '').replace(/\.$/, '');
    throw new Abort(stack.length > 0 ? `${message} (inside ${stack.join('/')})` : message, parser.line);
  });
  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    if (stack.length === 0 && name !== 'project') {
      throw new Abort(`not a Maven POM: the root element is <${tag.name}>, expected <project>`, parser.line);
    }
    stack.push(name);
    if (stack.length > MAX_DEPTH)
      throw new Abort(`elements nested deeper than ${MAX_DEPTH} levels`, parser.line);
    buffer = '';
    const path = stack.join('/');
    if (path === 'project') projectLine = parser.line;
    else if (
      path === 'project/dependencies/dependency' ||
      path === 'project/dependencyManagement/dependencies/dependency'
    ) {
      dependency = { line: parser.line };
    } else if (path === 'project/parent') parent = { line: parser.line };
    else if (path === 'project/artifactId') ownArtifactLine = parser.line;
  });
  parser.on('text', (t) => {
    buffer += t;
  });
  parser.on('cdata', (t) => {
    buffer += t;
  });
  parser.on('closetag', () => {
    const path = stack.join('/');
    const name = stack[stack.length - 1] ?? '';
    const value = buffer.trim();
    buffer = '';
    stack.pop();
    if (stack.length === 1) {
      if (PROJECT_FIELDS.has(name)) (pom as unknown as Record<string, string>)[name] = value;
      else if (name === 'parent' && parent) {
        pom.parent = parent;
        parent = undefined;
      }
      return;
    }
    if (path === 'project/dependencies/dependency' && dependency) {
      pom.dependencies.push(dependency);
      dependency = undefined;
    } else if (path === 'project/dependencyManagement/dependencies/dependency' && dependency) {
      pom.managed.push(dependency);
      dependency = undefined;
    } else if (
      dependency &&
      DEPENDENCY_FIELDS.has(name) &&
      (stack.join('/') === 'project/dependencies/dependency' ||
        stack.join('/') === 'project/dependencyManagement/dependencies/dependency')
    ) {
      (dependency as unknown as Record<string, string>)[name] = value;
    } else if (parent && stack.length === 2 && stack[1] === 'parent' && PARENT_FIELDS.has(name)) {
      (parent as unknown as Record<string, string>)[name] = value;
    } else if (stack.length === 2 && stack[1] === 'properties') {
      pom.properties.set(name, value);
    } else if (path === 'project/modules/module' && value) {
      pom.modules.push(value);
    } else if (path === 'project/licenses/license/name' && value) {
      pom.licenses.push(value);
    }
  });

  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof Abort) return { ok: false, line: e.line, message: e.message };
    return { ok: false, message: `unreadable XML: ${e instanceof Error ? e.message : String(e)}` };
  }
  pom.line = ownArtifactLine ?? (projectLine || 1);
  return { ok: true, pom };
}
