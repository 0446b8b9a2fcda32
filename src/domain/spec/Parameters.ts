/** The YAML format's `parameters` block: declared names, types and defaults of task inputs. */
import { type DocNode, type DocumentReader, describe } from "./DocumentReader.js"
import { ENV_NAME, ENV_NAME_EXPECTED } from "./Names.js"
import { didYouMean } from "./Suggest.js"

export const PARAMETER_TYPES = ["string", "int", "float", "bool", "path"] as const
export type ParameterType = (typeof PARAMETER_TYPES)[number]

export interface ParameterDecl {
  readonly name: string
  readonly type: ParameterType
  readonly default: string | undefined
  readonly description: string | undefined
}

const INT = /^[+-]?\d+$/
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

/** Whether `text` is a value of `type`; `expected` names the accepted form for messages. */
export const typeAccepts = (type: ParameterType, text: string): boolean => {
  switch (type) {
    case "int":
      return INT.test(text) && Number.isSafeInteger(Number(text))
    case "float":
      return FLOAT.test(text)
    case "bool":
      return text === "true" || text === "false"
    case "path":
      return text.length > 0
    case "string":
      return true
  }
}

export const typeExpected = (type: ParameterType): string => {
  switch (type) {
    case "int":
      return "an integer"
    case "float":
      return "a number"
    case "bool":
      return "true or false"
    case "path":
      return "a non-empty path"
    case "string":
      return "text"
  }
}

const isParameterType = (s: string): s is ParameterType => PARAMETER_TYPES.some((t) => t === s)

/** Reads `parameters`; declarations with problems are reported and left out. */
export const readParameters = (
  reader: DocumentReader,
  node: DocNode,
  path: string,
): Map<string, ParameterDecl> => {
  const decls = new Map<string, ParameterDecl>()
  const fields = reader.mapping(node, path, "a mapping NAME → {type, default, description}")
  for (const field of fields?.values() ?? []) {
    if (!ENV_NAME.test(field.name)) {
      reader.report(field.key, field.path, `invalid parameter name "${field.name}"`, ENV_NAME_EXPECTED)
      continue
    }
    const spec = reader.record(field.value, field.path, ["type", "default", "description"])
    if (spec === undefined) continue
    let type: ParameterType = "string"
    const typeField = spec.get("type")
    if (typeField !== undefined) {
      const t = reader.text(typeField.value, typeField.path, PARAMETER_TYPES.join(" | "))
      if (t !== undefined && !isParameterType(t)) {
        const hint = didYouMean(t, PARAMETER_TYPES)
        const message = `unknown type "${t}"${hint === undefined ? "" : `; did you mean "${hint}"?`}`
        reader.report(reader.deref(typeField.value), typeField.path, message, PARAMETER_TYPES.join(" | "))
      }
      // An unusable type is reported once; the parameter stays declared (as text) so its uses are
      // not reported again as undeclared.
      if (t !== undefined && isParameterType(t)) type = t
    }
    let defaultValue: string | undefined
    const defaultField = spec.get("default")
    if (defaultField !== undefined && !reader.isNull(defaultField.value)) {
      const text = reader.scalarText(defaultField.value)
      if (text === undefined || !typeAccepts(type, text)) {
        const found = describe(reader.deref(defaultField.value))
        reader.report(
          reader.deref(defaultField.value),
          defaultField.path,
          `${found} is not a ${type}`,
          typeExpected(type),
        )
      } else defaultValue = text
    }
    const descriptionField = spec.get("description")
    const description =
      descriptionField === undefined ? undefined : reader.text(descriptionField.value, descriptionField.path)
    decls.set(field.name, { name: field.name, type, default: defaultValue, description })
  }
  return decls
}
