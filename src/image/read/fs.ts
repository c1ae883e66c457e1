import { ImageError } from './errors.js';
import { joinPath, splitPath, symlinkEscapes } from './paths.js';

export type NodeKind = 'file' | 'dir' | 'symlink' | 'other';

/** One node of the merged root filesystem; `layer` is the index of the layer that last wrote it. */
export interface FsNode {
  kind: NodeKind;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  layer: number;
  target?: string;
  data?: Buffer;
  /** Content was wanted but not kept (over a cap, or a hardlink to a file whose content was not kept). */
  dropped?: boolean;
  children?: Map<string, FsNode>;
}

export interface FileStat {
  path: string;
  kind: NodeKind;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  linkTarget?: string;
  /** diff_id of the layer that last wrote this path. */
  diffId: string;
  hasContent: boolean;
}

export const MAX_SYMLINK_HOPS = 40;

export function newDir(layer: number): FsNode {
  return { kind: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, layer, children: new Map() };
}

/** Mutable tree the layer applier writes into; `ImageFs` is the read-only view over it. */
export class FsTree {
  readonly root: FsNode = newDir(-1);
  entries = 0;
  /** Content bytes ever retained (hardlinks share buffers; deleted files still count): an upper bound. */
  retainedBytes = 0;

  /** Parent directory of `parts`, creating or replacing (non-dir) intermediate components. */
  parentDir(parts: readonly string[], layer: number): FsNode {
    let dir = this.root;
    for (let i = 0; i < parts.length - 1; i++) {
      const name = parts[i]!;
      let next = dir.children!.get(name);
      if (next === undefined || next.kind !== 'dir') {
        next = newDir(layer);
        dir.children!.set(name, next);
      }
      dir = next;
    }
    return dir;
  }

  /** Literal lookup without following symlinks. */
  lookup(parts: readonly string[]): FsNode | undefined {
    let node: FsNode | undefined = this.root;
    for (const name of parts) {
      node = node.children?.get(name);
      if (node === undefined) return undefined;
    }
    return node;
  }

  /** Adds or replaces a node; an existing directory re-declared as a directory keeps its children. */
  put(parts: readonly string[], node: FsNode): void {
    if (parts.length === 0) {
      if (node.kind === 'dir') Object.assign(this.root, { ...node, children: this.root.children });
      return;
    }
    const parent = this.parentDir(parts, node.layer);
    const name = parts[parts.length - 1]!;
    const old = parent.children!.get(name);
    if (old?.kind === 'dir' && node.kind === 'dir') {
      node.children = old.children;
    }
    parent.children!.set(name, node);
  }

  /** `.wh.<name>`: removes what lower layers put at `parts` (same-layer content survives, per the OCI spec). */
  whiteout(parts: readonly string[], layer: number): void {
    const parent = this.lookup(parts.slice(0, -1));
    const name = parts[parts.length - 1]!;
    const node = parent?.children?.get(name);
    if (node === undefined || parent === undefined) return;
    if (!this.pruneLower(node, layer)) parent.children!.delete(name);
  }

  /** `.wh..wh..opq`: removes the lower-layer children of the directory at `parts`. */
  opaque(parts: readonly string[], layer: number): void {
    const dir = this.lookup(parts);
    if (dir?.kind !== 'dir') return;
    for (const [name, child] of dir.children!) {
      if (!this.pruneLower(child, layer)) dir.children!.delete(name);
    }
  }

  /** Removes nodes older than `layer` below `node`; returns whether `node` itself must stay. */
  private pruneLower(node: FsNode, layer: number): boolean {
    let keepChild = false;
    if (node.children) {
      for (const [name, child] of node.children) {
        if (this.pruneLower(child, layer)) keepChild = true;
        else node.children.delete(name);
      }
    }
    return node.layer >= layer || keepChild;
  }
}

/** Read-only view of the merged image filesystem. Paths are absolute ('/etc/os-release'). */
export class ImageFs {
  constructor(
    private readonly tree: FsTree,
    private readonly diffIds: readonly string[],
  ) {}

  /** Every path (not following symlinks) starting with `prefix`, sorted. */
  list(prefix = '/'): string[] {
    const norm = prefix.startsWith('/') ? prefix : '/' + prefix;
    // Start from the deepest directory fully named by the prefix.
    const parts = splitPath(norm);
    const full = norm.endsWith('/') ? parts : parts.slice(0, -1);
    const start = this.tree.lookup(full);
    const out: string[] = [];
    if (start === undefined) return out;
    const visit = (node: FsNode, path: string[]): void => {
      if (path.length > 0) {
        const p = joinPath(path);
        if (p.startsWith(norm)) out.push(p);
      }
      if (node.children) for (const [name, child] of node.children) visit(child, [...path, name]);
    };
    visit(start, full);
    return out.sort();
  }

  /** Content of a regular file, following symlinks inside the root; undefined when absent or not kept. */
  read(path: string): Buffer | undefined {
    const node = this.resolve(path, true);
    return node?.kind === 'file' ? node.data : undefined;
  }

  stat(path: string): FileStat | undefined {
    return this.statOf(path, true);
  }

  lstat(path: string): FileStat | undefined {
    return this.statOf(path, false);
  }

  /** diff_id of the layer that last wrote `path` (not following a final symlink). */
  layerOf(path: string): string | undefined {
    return this.lstat(path)?.diffId;
  }

  /** Depth-first walk over every node (not following symlinks). */
  *walk(): Generator<[string, FsNode]> {
    const stack: [string[], FsNode][] = [[[], this.tree.root]];
    while (stack.length > 0) {
      const [path, node] = stack.pop()!;
      if (path.length > 0) yield [joinPath(path), node];
      if (node.children) for (const [name, child] of node.children) stack.push([[...path, name], child]);
    }
  }

  private statOf(path: string, follow: boolean): FileStat | undefined {
    const node = this.resolve(path, follow);
    if (node === undefined) return undefined;
    return {
      path: joinPath(splitPath(path)),
      kind: node.kind,
      mode: node.mode,
      uid: node.uid,
      gid: node.gid,
      size: node.size,
      mtime: new Date(node.mtime * 1000),
      ...(node.target !== undefined ? { linkTarget: node.target } : {}),
      diffId: this.diffIds[node.layer] ?? '',
      hasContent: node.data !== undefined,
    };
  }

  /**
   * Resolves `path` like the kernel inside a chroot: absolute link targets start at the image root,
   * `..` at the root stays there, at most MAX_SYMLINK_HOPS links.
   */
  private resolve(path: string, followFinal: boolean): FsNode | undefined {
    const pending = splitPath(path).reverse();
    const stack: FsNode[] = [this.tree.root];
    let hops = 0;
    while (pending.length > 0) {
      const name = pending.pop()!;
      const cur = stack[stack.length - 1]!;
      if (name === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const next = cur.children?.get(name);
      if (next === undefined) return undefined;
      if (next.kind === 'symlink' && (pending.length > 0 || followFinal)) {
        if (++hops > MAX_SYMLINK_HOPS) return undefined;
        const target = next.target ?? '';
        if (target.startsWith('/')) stack.length = 1;
        pending.push(...splitPath(target).reverse());
        continue;
      }
      if (pending.length > 0 && next.kind !== 'dir') return undefined;
      stack.push(next);
    }
    return stack[stack.length - 1];
  }
}

/** Lexical check used when a layer declares a symlink. */
export function assertSymlinkInside(parts: readonly string[], target: string): void {
  if (symlinkEscapes(parts, target)) {
    throw new ImageError('symlink-escape', `symlink ${joinPath(parts)} -> ${target} leaves the image root`);
  }
}
