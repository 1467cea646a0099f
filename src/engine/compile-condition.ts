import type { Condition } from "../rule-set/schema.js";

/** A compiled condition: the verdict on one context, computed synchronously. */
export type Verdict<C> = (ctx: C) => boolean;

/** Reads one fact, with its params bound at compile time, on a context. */
export type FactAccessor<C> = (ctx: C) => unknown;

/** A plain synchronous operator `(factValue, conditionValue) => boolean`, as json-rules-engine's `addOperator` takes. */
export type PlainOperator = (factValue: unknown, value: unknown) => boolean;

/** What a condition tree is compiled against. */
export interface CompileEnvironment<C> {
  /** Named conditions, referenced as `{ "condition": name }`; resolved (inlined) at compile time. */
  named: Readonly<Record<string, Condition>>;
  /** The accessor of a fact with its params, or undefined for a fact that does not exist. */
  fact(name: string, params: Record<string, unknown> | undefined): FactAccessor<C> | undefined;
  /** Operators added to json-rules-engine's built-ins with `addOperator` (no fact validator). */
  extraOperators: Readonly<Record<string, PlainOperator>>;
}

/** One reason a condition tree cannot be compiled: where in the tree, and what is wrong. */
export interface CompileProblem {
  /** Dot path inside the tree (`all.1.not`), `""` for its root; inside a named condition, prefixed `@name`. */
  path: string;
  message: string;
}

// json-rules-engine's numberValidator: `Number.parseFloat(factValue).toString() !== 'NaN'`; a number
// passes unless it is NaN, anything else is what parseFloat makes of its string form.
function isNumeric(a: unknown): boolean {
  return typeof a === "number" ? a === a : !Number.isNaN(Number.parseFloat(a as string));
}

type Test = (factValue: unknown) => boolean;
type Searchable = { indexOf(x: unknown): number };

/**
 * json-rules-engine 7's built-in operators, each specialized on the condition's value. The expressions
 * are the library's own (engine-default-operators.js), so JavaScript's coercions are the same; a value
 * on which the library's operator throws on every call is refused here instead (a string).
 */
const BUILT_IN: Readonly<Record<string, (value: unknown) => Test | string>> = {
  equal: (v) => (a) => a === v,
  notEqual: (v) => (a) => a !== v,
  // `b.indexOf(a)`: an array is searched by ===, a string by substring of String(a); anything else throws.
  in: (v) => (searchable(v) ? (a) => (v as Searchable).indexOf(a) > -1 : inNeeds(v)),
  notIn: (v) => (searchable(v) ? (a) => (v as Searchable).indexOf(a) === -1 : inNeeds(v)),
  // Fact validator Array.isArray: on a fact that is not an array both contains and doesNotContain are false.
  contains: (v) => (a) => Array.isArray(a) && a.indexOf(v) > -1,
  doesNotContain: (v) => (a) => Array.isArray(a) && a.indexOf(v) === -1,
  lessThan: (v) => (a) => isNumeric(a) && (a as number) < (v as number),
  lessThanInclusive: (v) => (a) => isNumeric(a) && (a as number) <= (v as number),
  greaterThan: (v) => (a) => isNumeric(a) && (a as number) > (v as number),
  greaterThanInclusive: (v) => (a) => isNumeric(a) && (a as number) >= (v as number),
};

function searchable(v: unknown): boolean {
  return Array.isArray(v) || typeof v === "string";
}

function inNeeds(v: unknown): string {
  return `needs an array (or a string) as value; found ${JSON.stringify(v) ?? String(v)}, on which json-rules-engine fails on every record`;
}

/** The operator names the compiler accepts in an environment. */
export function supportedOperators(env: Pick<CompileEnvironment<unknown>, "extraOperators">): string[] {
  return [...Object.keys(BUILT_IN), ...Object.keys(env.extraOperators).filter((k) => !(k in BUILT_IN))];
}

const LEAF_KEYS = new Set(["fact", "operator", "value", "params"]);

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

const always: Verdict<unknown> = () => true;

/** The compiler of one environment: compiled named conditions are shared between the trees that use them. */
class Compiler<C> {
  readonly problems: CompileProblem[] = [];
  private readonly namedVerdicts = new Map<string, Verdict<C>>();
  private readonly compiling: string[] = [];

  constructor(private readonly env: CompileEnvironment<C>) {}

  private fail(path: string, message: string): Verdict<C> {
    this.problems.push({ path, message });
    return always;
  }

  private list(node: Record<string, unknown>, key: "all" | "any", path: string): Verdict<C> {
    const children = node[key];
    if (!Array.isArray(children)) return this.fail(path, `"${key}" must be an array`);
    const parts = children.map((c, i) => this.node(c, `${path ? `${path}.` : ""}${key}.${i}`));
    // json-rules-engine: an empty all and an empty any both hold; one condition is its own verdict.
    if (parts.length === 0) return always;
    if (parts.length === 1) return parts[0]!;
    if (parts.length === 2) {
      const [a, b] = parts as [Verdict<C>, Verdict<C>];
      return key === "all" ? (ctx) => a(ctx) && b(ctx) : (ctx) => a(ctx) || b(ctx);
    }
    if (key === "all") {
      return (ctx) => {
        for (let i = 0; i < parts.length; i++) if (!parts[i]!(ctx)) return false;
        return true;
      };
    }
    return (ctx) => {
      for (let i = 0; i < parts.length; i++) if (parts[i]!(ctx)) return true;
      return false;
    };
  }

  private named(name: unknown, path: string): Verdict<C> {
    if (typeof name !== "string") return this.fail(path, `"condition" must name a named condition; found ${JSON.stringify(name)}`);
    const done = this.namedVerdicts.get(name);
    if (done) return done;
    if (this.compiling.includes(name)) return this.fail(path, `named conditions refer to each other in a cycle: ${[...this.compiling, name].join(" -> ")}`);
    if (!Object.prototype.hasOwnProperty.call(this.env.named, name)) {
      return this.fail(path, `unknown named condition "${name}"; known: ${Object.keys(this.env.named).join(", ") || "none"}`);
    }
    this.compiling.push(name);
    const verdict = this.root(this.env.named[name], `@${name}`);
    this.compiling.pop();
    this.namedVerdicts.set(name, verdict);
    return verdict;
  }

  private leaf(node: Record<string, unknown>, path: string): Verdict<C> {
    const unknownKeys = Object.keys(node).filter((k) => !LEAF_KEYS.has(k));
    if (unknownKeys.includes("path")) return this.fail(path, `"path" (JSONPath) is not allowed: a fact's value is compared whole`);
    if (unknownKeys.length > 0) {
      return this.fail(path, `the compiled evaluator does not support ${unknownKeys.map((k) => `"${k}"`).join(", ")} in a fact condition (only fact, operator, value, params)`);
    }
    for (const k of ["fact", "operator", "value"]) {
      if (!(k in node)) return this.fail(path, `a fact condition needs "${k}"`);
    }
    const { fact, operator, value, params } = node as { fact: unknown; operator: unknown; value: unknown; params?: unknown };
    if (typeof fact !== "string") return this.fail(path, `"fact" must be a string; found ${JSON.stringify(fact)}`);
    if (params !== undefined && !isObject(params)) return this.fail(path, `"params" must be an object; found ${JSON.stringify(params)}`);
    if (isObject(value)) return this.fail(path, `an object as value (a fact-valued "value") is not supported by the compiled evaluator`);
    if (typeof operator !== "string") return this.fail(path, `"operator" must be a string; found ${JSON.stringify(operator)}`);

    let test: Test | string;
    const builtIn = Object.prototype.hasOwnProperty.call(BUILT_IN, operator) ? BUILT_IN[operator]! : undefined;
    const extra = Object.prototype.hasOwnProperty.call(this.env.extraOperators, operator) ? this.env.extraOperators[operator]! : undefined;
    if (extra) test = (a) => extra(a, value);
    else if (builtIn) test = builtIn(value);
    else return this.fail(path, `operator "${operator}" is not supported by the compiled evaluator; supported: ${supportedOperators(this.env).join(", ")}`);
    if (typeof test === "string") return this.fail(path, `operator "${operator}" ${test}`);

    const get = this.env.fact(fact, params !== undefined && Object.keys(params).length > 0 ? params : undefined);
    if (!get) return this.fail(path, `unknown fact "${fact}"`);
    const t = test;
    return (ctx) => t(get(ctx));
  }

  node(node: unknown, path: string): Verdict<C> {
    if (!isObject(node)) return this.fail(path, `a condition must be an object; found ${JSON.stringify(node)}`);
    // The order in which json-rules-engine recognizes a node: a reference, then any, all, not, then a fact test.
    if (Object.prototype.hasOwnProperty.call(node, "condition")) return this.named(node.condition, path);
    if (Object.prototype.hasOwnProperty.call(node, "any")) return this.list(node, "any", path);
    if (Object.prototype.hasOwnProperty.call(node, "all")) return this.list(node, "all", path);
    if (Object.prototype.hasOwnProperty.call(node, "not")) {
      if (Array.isArray(node.not) || !isObject(node.not)) return this.fail(path, `"not" takes one condition, not ${Array.isArray(node.not) ? "an array" : JSON.stringify(node.not)}`);
      const inner = this.node(node.not, `${path ? `${path}.` : ""}not`);
      return (ctx) => !inner(ctx);
    }
    return this.leaf(node, path);
  }

  root(node: unknown, path: string): Verdict<C> {
    if (isObject(node) && !["all", "any", "not", "condition"].some((k) => Object.prototype.hasOwnProperty.call(node, k))) {
      return this.fail(path, `a condition tree must start with all, any, not or condition`);
    }
    return this.node(node, path);
  }
}

/**
 * Compiles condition trees once into plain synchronous closures with json-rules-engine 7's semantics:
 * the same operators and coercions, an empty `all` or `any` holds, `not` negates, named conditions are
 * inlined. Nothing is evaluated as code (no eval, no Function): a rule file cannot inject any.
 *
 * @param env - named conditions, the facts (an accessor per fact and params) and the extra operators
 * @returns `compile(tree)` for each top-level tree, and `problems`: every tree that cannot be compiled
 *   (an unsupported operator, an unknown fact or named condition, a value no operator run could take)
 * @example
 * const compiler = createConditionCompiler({ named: {}, extraOperators: {}, fact: (name) => (facts) => facts[name] });
 * const adult = compiler.compile({ all: [{ fact: "age", operator: "greaterThanInclusive", value: 18 }] });
 * compiler.problems; // []
 * adult({ age: 20 }); // true
 */
export function createConditionCompiler<C>(env: CompileEnvironment<C>): {
  compile(tree: unknown, path?: string): Verdict<C>;
  readonly problems: CompileProblem[];
} {
  const compiler = new Compiler(env);
  return {
    compile: (tree, path = "") => compiler.root(tree, path),
    get problems() {
      return compiler.problems;
    },
  };
}
