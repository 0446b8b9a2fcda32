/**
 * The API format's command templates: `{key}` and `{{key}}` placeholders take the values of the
 * task's parameter set. `${VAR}` (and `${{…}}`) is shell syntax and never a placeholder.
 */

const PLACEHOLDER = /(\$?)(?:\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\})/g

const each = (template: string, f: (name: string, raw: string) => string): string =>
  template.replace(PLACEHOLDER, (raw: string, dollar: string, doubled?: string, single?: string) =>
    dollar === "" ? f(doubled ?? single ?? "", raw) : raw,
  )

/** The distinct placeholder names of a template, in order of first appearance. */
export const placeholders = (template: string): Array<string> => {
  const names = new Set<string>()
  each(template, (name, raw) => {
    names.add(name)
    return raw
  })
  return [...names]
}

/** The template with every placeholder replaced by its value; unbound placeholders stay as written. */
export const renderTemplate = (template: string, values: Readonly<Record<string, string>>): string =>
  each(template, (name, raw) => values[name] ?? raw)
