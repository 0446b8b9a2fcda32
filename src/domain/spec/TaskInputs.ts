/**
 * A task's `task_inputs`: each value is a scalar, a list (a sweep dimension), an integer range
 * `a..b[:step]` (a sweep dimension) or a reference `${task.OUTPUT}` to another task's output.
 */
import { isScalar, isSeq } from "yaml"
import { childPath, type DocNode, type DocumentReader, describe } from "./DocumentReader.js"
import { ListDimension, RangeDimension } from "./ExperimentSpec.js"
import { EMBEDDED_REFERENCE, ENV_NAME, ENV_NAME_EXPECTED, RANGE, REFERENCE } from "./Names.js"
import { type ParameterDecl, typeAccepts, typeExpected } from "./Parameters.js"

/** A `${task.OUTPUT}` reference as written, located for later checks against the task graph. */
export interface DraftRef {
  readonly param: string
  readonly task: string
  readonly output: string
  readonly node: DocNode
  readonly path: string
}

export interface DraftInputs {
  readonly fixed: Array<readonly [string, string]>
  readonly refs: Array<DraftRef>
  readonly dimensions: Array<ListDimension | RangeDimension>
}

const VALUE_EXPECTED = `a value, a list of values, a range "a..b[:step]" or a reference "$\{task.OUTPUT}"`

/** Reads `task_inputs`; `declared` is undefined when the spec declares no `parameters`. */
export const readTaskInputs = (
  reader: DocumentReader,
  node: DocNode,
  path: string,
  declared: ReadonlyMap<string, ParameterDecl> | undefined,
): DraftInputs => {
  const inputs: DraftInputs = { fixed: [], refs: [], dimensions: [] }
  const fields = reader.mapping(node, path, "a mapping NAME → value")
  for (const field of fields?.values() ?? []) {
    const decl = declared?.get(field.name)
    if (!ENV_NAME.test(field.name)) {
      reader.report(field.key, field.path, `invalid input name "${field.name}"`, ENV_NAME_EXPECTED)
      continue
    }
    if (declared !== undefined && decl === undefined) {
      reader.report(
        field.key,
        field.path,
        `input "${field.name}" is not declared in parameters`,
        declaredList(declared),
      )
      continue
    }
    const value = reader.deref(field.value)
    if (isSeq(value)) {
      const values = readList(reader, reader.sequence(value, field.path, "a list") ?? [], field.path, decl)
      if (values !== undefined) {
        const [first, ...rest] = values
        if (first === undefined)
          reader.report(value, field.path, "empty sweep: the list has no values", "at least one value")
        else inputs.dimensions.push(new ListDimension({ param: field.name, values: [first, ...rest] }))
      }
      continue
    }
    const text = reader.scalarText(value)
    if (text === undefined) {
      reader.report(value, field.path, `expected a value, found ${describe(value)}`, VALUE_EXPECTED)
      continue
    }
    const isString = isScalar(value) && typeof value.value === "string"
    const ref = isString ? REFERENCE.exec(text) : null
    if (ref !== null) {
      inputs.refs.push({
        param: field.name,
        task: ref[1] ?? "",
        output: ref[2] ?? "",
        node: value,
        path: field.path,
      })
      continue
    }
    if (isString && EMBEDDED_REFERENCE.test(text)) {
      reader.report(
        value,
        field.path,
        `a reference must be the whole value, found ${describe(value)}`,
        VALUE_EXPECTED,
      )
      continue
    }
    const range = isString ? RANGE.exec(text) : null
    if (range !== null) {
      const dimension = readRange(reader, value, field.path, field.name, range, decl)
      if (dimension !== undefined) inputs.dimensions.push(dimension)
      continue
    }
    if (decl !== undefined && !typeAccepts(decl.type, text)) {
      reader.report(
        value,
        field.path,
        `${describe(value)} is not a valid ${decl.type}`,
        typeExpected(decl.type),
      )
      continue
    }
    inputs.fixed.push([field.name, text])
  }
  return inputs
}

const declaredList = (declared: ReadonlyMap<string, ParameterDecl>): string =>
  declared.size === 0 ? "a parameter declared in parameters" : `one of ${[...declared.keys()].join(", ")}`

const readList = (
  reader: DocumentReader,
  items: ReadonlyArray<DocNode>,
  path: string,
  decl: ParameterDecl | undefined,
): Array<string> | undefined => {
  const values: Array<string> = []
  let ok = true
  items.forEach((item, i) => {
    const itemPath = childPath(path, i)
    const text = reader.scalarText(item)
    if (text === undefined) {
      reader.report(item, itemPath, `expected a value, found ${describe(item)}`, "a scalar value")
      ok = false
    } else if (isScalar(item) && typeof item.value === "string" && EMBEDDED_REFERENCE.test(text)) {
      reader.report(
        item,
        itemPath,
        "a reference cannot be swept; use foreach to fan out over a task",
        "a literal value",
      )
      ok = false
    } else if (decl !== undefined && !typeAccepts(decl.type, text)) {
      reader.report(item, itemPath, `${describe(item)} is not a valid ${decl.type}`, typeExpected(decl.type))
      ok = false
    } else values.push(text)
  })
  return ok ? values : undefined
}

const readRange = (
  reader: DocumentReader,
  node: DocNode,
  path: string,
  param: string,
  match: RegExpExecArray,
  decl: ParameterDecl | undefined,
): RangeDimension | undefined => {
  if (decl !== undefined && (decl.type === "bool" || decl.type === "path")) {
    reader.report(
      node,
      path,
      `a range cannot bind the ${decl.type} parameter "${param}"`,
      typeExpected(decl.type),
    )
    return undefined
  }
  const start = Number(match[1])
  const end = Number(match[2])
  const step = match[3] === undefined ? 1 : Number(match[3])
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || !Number.isSafeInteger(step)) {
    reader.report(node, path, "range bounds are too large", "integers within ±2^53")
    return undefined
  }
  if (step <= 0) {
    reader.report(
      node,
      path,
      `range step must be positive, found ${step}`,
      'a range "a..b:step" with step > 0',
    )
    return undefined
  }
  if (end < start) {
    reader.report(node, path, `empty sweep: range ${start}..${end} has no values`, "a range a..b with b ≥ a")
    return undefined
  }
  return new RangeDimension({ param, start, end, step })
}
