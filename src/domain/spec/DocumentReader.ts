/**
 * Reads a parsed YAML/JSON document node by node, collecting located issues instead of stopping at
 * the first one, so a user sees every problem of a spec at once.
 */
import {
  type Document,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Scalar,
} from "yaml"
import { SpecIssue } from "./SpecError.js"
import { didYouMean } from "./Suggest.js"

/** A node of the document; `null` where YAML has a key without any value node. */
export type DocNode = Node | null | undefined

/** One key of a mapping with the node of its value. */
export interface Field {
  readonly name: string
  readonly key: Scalar
  readonly value: DocNode
  readonly path: string
}

const asNode = (value: unknown): DocNode => (isNode(value) ? value : null)

/** `a.b` for keys, `a[0]` for sequence items. */
export const childPath = (path: string, key: string | number): string =>
  typeof key === "number" ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`

export class DocumentReader {
  readonly issues: Array<SpecIssue> = []

  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    private readonly doc: Document.Parsed,
  ) {}

  /** The document's root node. */
  get root(): DocNode {
    return this.deref(this.doc.contents)
  }

  /** Records an issue at the start of `at` (a node, or a character offset). */
  report(at: DocNode | number, path: string, message: string, expected: string): void {
    const offset = typeof at === "number" ? at : (at?.range?.[0] ?? 0)
    const { line, col } = this.lines.linePos(offset)
    this.issues.push(new SpecIssue({ file: this.file, line, column: col, path, message, expected }))
  }

  /** Follows YAML aliases (`*anchor`) to the node they stand for. */
  deref(node: DocNode): DocNode {
    return isAlias(node) ? (node.resolve(this.doc) ?? null) : node
  }

  /** The plain JavaScript value of a node (aliases resolved). */
  toJS(node: DocNode): unknown {
    const n = this.deref(node)
    return n === null || n === undefined ? null : n.toJS(this.doc)
  }

  /** True for a missing value or an explicit YAML null (`key:` or `key: ~`). */
  isNull(node: DocNode): boolean {
    const n = this.deref(node)
    return n === null || n === undefined || (isScalar(n) && n.value === null)
  }

  /**
   * The keys of a mapping whose key set is fixed by the language: unknown keys (with a suggestion),
   * duplicate keys and missing required keys are reported. Undefined when the node is not a mapping.
   */
  record(
    node: DocNode,
    path: string,
    allowed: ReadonlyArray<string>,
    required: ReadonlyArray<string> = [],
  ): Map<string, Field> | undefined {
    const fields = this.mapping(node, path, `a mapping with keys ${allowed.join(", ")}`)
    if (fields === undefined) return undefined
    for (const field of fields.values()) {
      if (!allowed.includes(field.name)) {
        const hint = didYouMean(field.name, allowed)
        this.report(
          field.key,
          field.path,
          `unknown key "${field.name}"${hint === undefined ? "" : `; did you mean "${hint}"?`}`,
          `one of ${allowed.join(", ")}`,
        )
      }
    }
    for (const name of required) {
      if (!fields.has(name))
        this.report(this.deref(node), path, `missing required key "${name}"`, `a "${name}" key`)
    }
    return fields
  }

  /** The keys of a mapping whose keys are user-chosen names (tasks, scripts, parameters). */
  mapping(node: DocNode, path: string, expected: string): Map<string, Field> | undefined {
    const n = this.deref(node)
    if (!isMap(n)) {
      this.report(n, path, `expected a mapping, found ${describe(n)}`, expected)
      return undefined
    }
    const fields = new Map<string, Field>()
    for (const pair of n.items) {
      const key = this.deref(asNode(pair.key))
      if (!isScalar(key) || key.value === null || typeof key.value === "object") {
        this.report(key, path, "expected a plain key", "a name")
        continue
      }
      const name = String(key.value)
      const fieldPath = childPath(path, name)
      const first = fields.get(name)
      if (first !== undefined) {
        const at = this.lines.linePos(first.key.range?.[0] ?? 0)
        this.report(
          key,
          fieldPath,
          `duplicate key "${name}" (first defined at line ${at.line})`,
          "unique keys",
        )
        continue
      }
      fields.set(name, { name, key, value: asNode(pair.value), path: fieldPath })
    }
    return fields
  }

  /** The items of a sequence, or undefined (reported) when the node is not one. */
  sequence(node: DocNode, path: string, expected: string): Array<DocNode> | undefined {
    const n = this.deref(node)
    if (!isSeq(n)) {
      this.report(n, path, `expected a list, found ${describe(n)}`, expected)
      return undefined
    }
    return n.items.map((item) => this.deref(asNode(item)))
  }

  /** A scalar as text (numbers keep their source spelling, e.g. `0.10`); undefined when not a scalar. */
  scalarText(node: DocNode): string | undefined {
    const n = this.deref(node)
    if (!isScalar(n) || n.value === null) return undefined
    const v = n.value
    if (typeof v === "string") return v
    if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") {
      return n.source !== undefined && n.type === "PLAIN" ? n.source : String(v)
    }
    return undefined
  }

  /** A text value (string, or a number or boolean taken as written). */
  text(node: DocNode, path: string, expected = "a string"): string | undefined {
    const t = this.scalarText(node)
    if (t === undefined)
      this.report(this.deref(node), path, `expected text, found ${describe(this.deref(node))}`, expected)
    return t
  }

  /** A finite number within [min, max]; `expected` overrides the description of that range. */
  number(
    node: DocNode,
    path: string,
    min: number,
    max = Number.POSITIVE_INFINITY,
    expected?: string,
  ): number | undefined {
    const n = this.deref(node)
    const v = isScalar(n) ? n.value : undefined
    const range = max === Number.POSITIVE_INFINITY ? `a number ≥ ${min}` : `a number from ${min} to ${max}`
    if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
      this.report(n, path, `invalid value ${describe(n)}`, expected ?? range)
      return undefined
    }
    return v
  }

  /** An integer within [min, max]. */
  integer(node: DocNode, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const n = this.deref(node)
    const v = isScalar(n) ? n.value : undefined
    const expected =
      max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.report(n, path, `invalid value ${describe(n)}`, expected)
      return undefined
    }
    return v
  }

  /** A list of text items; a single text value is not accepted, so a typo'd list is not silently wrapped. */
  textList(node: DocNode, path: string, expected: string): Array<string> | undefined {
    const items = this.sequence(node, path, expected)
    if (items === undefined) return undefined
    const out: Array<string> = []
    items.forEach((item, i) => {
      const t = this.text(item, childPath(path, i), expected)
      if (t !== undefined) out.push(t)
    })
    return out.length === items.length ? out : undefined
  }
}

/** A short description of what a node is, for "found …" in messages. */
export const describe = (node: DocNode): string => {
  if (node === null || node === undefined) return "nothing"
  if (isMap(node)) return "a mapping"
  if (isSeq(node)) return "a list"
  if (isScalar(node)) {
    if (node.value === null) return "nothing (null)"
    if (typeof node.value === "string") return JSON.stringify(node.value)
    return String(node.source ?? node.value)
  }
  return "an unsupported node"
}
