/** Import graph rules: domain ← ports ← programs ← actors ← api / cli / worker; layers implement ports. */
const layer = (name, mayNotImport) => ({
  name: `${name}-points-one-way`,
  severity: "error",
  comment: `src/${name} must not import ${mayNotImport.join(", ")}`,
  from: { path: `^src/${name}/` },
  to: { path: `^src/(${mayNotImport.join("|")})/` },
})

module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
    layer("domain", ["ports", "layers", "programs", "actors", "api", "worker", "cli", "testing"]),
    layer("ports", ["layers", "programs", "actors", "api", "worker", "cli", "testing"]),
    layer("layers", ["programs", "actors", "api", "worker", "cli", "testing"]),
    layer("programs", ["layers", "actors", "api", "worker", "cli", "testing"]),
    layer("actors", ["layers", "api", "worker", "cli", "testing"]),
    layer("worker", ["layers", "actors", "cli", "testing"]),
    layer("api", ["cli", "testing"]),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
}
