/**
 * GitHub Actions expressions (`${{ … }}`): finding them in a string, parsing them, and working out
 * which context values can reach the expanded text (a comparison or `contains()` yields a boolean,
 * `format()`, `join()`, `toJSON()`, `||` and `&&` pass their operands' values through).
 * See https://docs.github.com/en/actions/reference/workflows-and-actions/expressions
 */

export interface ExpressionSpan {
  /** Text between `${{` and `}}`. */
  body: string;
  /** Offset of `${{` in the searched string. */
  start: number;
  /** Offset just after `}}`. */
  end: number;
}

/** Every `${{ … }}` in `s` (a `}}` inside a single-quoted string literal does not close it). */
export function findExpressions(s: string): ExpressionSpan[] {
  const out: ExpressionSpan[] = [];
  let i = s.indexOf('${{');
  while (i >= 0) {
    let inString = false;
    let j = i + 3;
    let end = -1;
    for (; j < s.length; j++) {
      const c = s[j];
      if (c === "'") inString = !inString;
      else if (!inString && c === '}' && s[j + 1] === '}') {
        end = j + 2;
        break;
      }
    }
    if (end < 0) break;
    out.push({ body: s.slice(i + 3, end - 2), start: i, end });
    i = s.indexOf('${{', end);
  }
  return out;
}

export type Ast =
  | { t: 'lit' }
  | { t: 'ref'; path: string[] }
  | { t: 'call'; name: string; args: Ast[] }
  | { t: 'not'; x: Ast }
  | { t: 'bin'; op: string; l: Ast; r: Ast }
  /** Property access or index on something that is not a plain context path, e.g. `fromJSON(x).a`. */
  | { t: 'access'; base: Ast };

type Tok = { k: 'str' | 'num' | 'id' | 'op' | 'p'; v: string };

const MAX_DEPTH = 64;
const MAX_TOKENS = 4096;

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let j = i + 1;
      let v = '';
      while (j < src.length) {
        if (src[j] === "'") {
          if (src[j + 1] === "'") {
            v += "'";
            j += 2;
            continue;
          }
          break;
        }
        v += src[j];
        j++;
      }
      out.push({ k: 'str', v });
      i = j + 1;
    } else if (/[0-9]/.test(c)) {
      const m = /^(?:0x[0-9a-f]+|[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)/i.exec(src.slice(i))!;
      out.push({ k: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))!;
      out.push({ k: 'id', v: m[0] });
      i += m[0].length;
    } else {
      const two = src.slice(i, i + 2);
      if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
        out.push({ k: 'op', v: two });
        i += 2;
      } else if ('<>!'.includes(c)) {
        out.push({ k: 'op', v: c });
        i++;
      } else if ('()[],.*'.includes(c)) {
        out.push({ k: 'p', v: c });
        i++;
      } else {
        i++;
      }
    }
  }
  return out;
}

const LIT: Ast = { t: 'lit' };

/** Parses an expression body; unparseable parts become literals (they carry no value). Never throws. */
export function parseExpression(src: string): Ast {
  // Operator chains nest the tree one level per operator: cap the tokens so that walking the tree
  // stays far from the stack limit (real expressions have a few dozen tokens).
  const toks = tokenize(src).slice(0, MAX_TOKENS);
  let i = 0;
  let depth = 0;
  const peek = () => toks[i];
  const isP = (v: string) => peek()?.k === 'p' && peek()?.v === v;
  const isOp = (v: string) => peek()?.k === 'op' && peek()?.v === v;

  const binary = (ops: string[], next: () => Ast) => (): Ast => {
    let l = next();
    while (peek()?.k === 'op' && ops.includes(peek()!.v)) {
      const op = toks[i++]!.v;
      l = { t: 'bin', op, l, r: next() };
    }
    return l;
  };

  const primary = (): Ast => {
    const tok = toks[i];
    if (!tok) return LIT;
    if (++depth > MAX_DEPTH) {
      i = toks.length;
      return LIT;
    }
    try {
      if (tok.k === 'str' || tok.k === 'num') {
        i++;
        return LIT;
      }
      if (tok.k === 'p' && tok.v === '(') {
        i++;
        const x = or();
        if (isP(')')) i++;
        return x;
      }
      if (tok.k === 'id') {
        i++;
        const low = tok.v.toLowerCase();
        if (isP('(')) {
          i++;
          const args: Ast[] = [];
          while (peek() && !isP(')')) {
            args.push(or());
            if (isP(',')) i++;
            else break;
          }
          if (isP(')')) i++;
          return { t: 'call', name: low, args };
        }
        if (low === 'true' || low === 'false' || low === 'null') return LIT;
        return { t: 'ref', path: [low] };
      }
      i++;
      return LIT;
    } finally {
      depth--;
    }
  };

  const postfix = (): Ast => {
    let x = primary();
    for (;;) {
      if (isP('.')) {
        i++;
        const tok = peek();
        let seg = '*';
        if (tok?.k === 'id') seg = tok.v.toLowerCase();
        else if (!(tok?.k === 'p' && tok.v === '*')) {
          x = x.t === 'ref' ? x : { t: 'access', base: x };
          continue;
        }
        i++;
        x = x.t === 'ref' ? { t: 'ref', path: [...x.path, seg] } : { t: 'access', base: x };
      } else if (isP('[')) {
        i++;
        const tok = peek();
        const next = toks[i + 1];
        let seg = '*';
        if (tok?.k === 'str' && next?.k === 'p' && next.v === ']') {
          seg = tok.v.toLowerCase();
          i += 2;
        } else {
          depth++;
          if (depth <= MAX_DEPTH) or();
          depth--;
          if (isP(']')) i++;
        }
        x = x.t === 'ref' ? { t: 'ref', path: [...x.path, seg] } : { t: 'access', base: x };
      } else return x;
    }
  };

  const unary = (): Ast => {
    let nots = 0;
    while (isOp('!')) {
      i++;
      nots++;
    }
    const x = postfix();
    return nots ? { t: 'not', x } : x;
  };
  const comparison = binary(['<', '>', '<=', '>='], unary);
  const equality = binary(['==', '!='], comparison);
  const and = binary(['&&'], equality);
  function or(): Ast {
    return binary(['||'], and)();
  }

  const out = or();
  return out;
}

/** Functions whose result is a boolean (or a hash): their arguments do not reach the output. */
const OPAQUE_FUNCTIONS = new Set([
  'contains',
  'startswith',
  'endswith',
  'success',
  'always',
  'cancelled',
  'failure',
  'hashfiles',
]);

/** Context paths (lower case, `*` for an index) whose value may end up in the expression's result. */
export function flowingRefs(ast: Ast): string[][] {
  switch (ast.t) {
    case 'lit':
    case 'not':
      return [];
    case 'ref':
      return [ast.path];
    case 'bin':
      // `a && b` yields `a` only when it is falsy (false, 0, '', null: nothing to inject), else `b`.
      if (ast.op === '&&') return flowingRefs(ast.r);
      return ast.op === '||' ? [...flowingRefs(ast.l), ...flowingRefs(ast.r)] : [];
    case 'call':
      return OPAQUE_FUNCTIONS.has(ast.name) ? [] : ast.args.flatMap(flowingRefs);
    case 'access':
      return flowingRefs(ast.base);
  }
}

/** Calls to `name` (lower case) anywhere in the expression. */
export function callsTo(ast: Ast, name: string): Extract<Ast, { t: 'call' }>[] {
  switch (ast.t) {
    case 'lit':
    case 'ref':
      return [];
    case 'not':
      return callsTo(ast.x, name);
    case 'bin':
      return [...callsTo(ast.l, name), ...callsTo(ast.r, name)];
    case 'access':
      return callsTo(ast.base, name);
    case 'call':
      return [...(ast.name === name ? [ast] : []), ...ast.args.flatMap((a) => callsTo(a, name))];
  }
}

/**
 * Contexts an external contributor controls (issue/PR/comment text, branch names, commit messages
 * and authors), following GitHub Security Lab's list and poutine's `injection` rule. Ids, SHAs,
 * numbers, URLs and repository names are fixed-format and safe.
 */
const UNTRUSTED: readonly string[][] = [
  'github.head_ref',
  'github.event.issue.title',
  'github.event.issue.body',
  'github.event.pull_request.title',
  'github.event.pull_request.body',
  'github.event.pull_request.head.ref',
  'github.event.pull_request.head.label',
  'github.event.pull_request.head.repo.default_branch',
  'github.event.discussion.title',
  'github.event.discussion.body',
  'github.event.comment.body',
  'github.event.review.body',
  'github.event.review_comment.body',
  'github.event.pages.*.page_name',
  'github.event.commits.*.message',
  'github.event.commits.*.author.email',
  'github.event.commits.*.author.name',
  'github.event.commits.*.committer.email',
  'github.event.commits.*.committer.name',
  'github.event.head_commit.message',
  'github.event.head_commit.author.email',
  'github.event.head_commit.author.name',
  'github.event.head_commit.committer.email',
  'github.event.head_commit.committer.name',
  'github.event.workflow_run.head_branch',
  'github.event.workflow_run.display_title',
  'github.event.workflow_run.head_commit.message',
  'github.event.workflow_run.head_commit.author.email',
  'github.event.workflow_run.head_commit.author.name',
  'github.event.workflow_run.head_commit.committer.email',
  'github.event.workflow_run.head_commit.committer.name',
  'github.event.workflow_run.head_repository.description',
  'github.event.workflow_run.head_repository.owner.email',
  'github.event.workflow_run.pull_requests.*.head.ref',
].map((p) => p.split('.'));

function segMatch(ref: string, pat: string): boolean {
  return ref === pat || ref === '*' || pat === '*';
}

/**
 * Is the value at `ref` attacker-controlled text? With `wholeObjects`, a path to an object that
 * contains such text (`github.event`, `github.event.pull_request`) counts too: for `toJSON(…)`.
 */
export function isUntrusted(ref: readonly string[], wholeObjects = false): boolean {
  return UNTRUSTED.some((pat) => {
    if (ref.length > pat.length) return pat.every((p, k) => segMatch(ref[k]!, p));
    if (ref.length < pat.length && !wholeObjects) return false;
    return ref.every((r, k) => segMatch(r, pat[k]!));
  });
}

/** `inputs.<name>` or `github.event.inputs.<name>` → the input name. */
export function inputName(ref: readonly string[]): string | undefined {
  if (ref[0] === 'inputs' && ref[1] && ref[1] !== '*') return ref[1];
  if (ref[0] === 'github' && ref[1] === 'event' && ref[2] === 'inputs' && ref[3] && ref[3] !== '*')
    return ref[3];
  return undefined;
}
