/**
 * An instance of the Schema class `Class` holding `fields` as they are, for values the executor
 * produced or checked itself, several per task. The class constructor, even with validation
 * disabled, copies the fields twice and merges defaults (about 3 µs for a tagged class, 1 µs for
 * another); this only sets them. A Schema class instance is a Data.Class, its fields as own
 * properties over the class prototype, which is what this makes; a tagged class's `_tag` must be
 * among `fields`. test/unit/worker/assemble.test.ts keeps both kinds of instance alike.
 */
export const assemble = <A extends object>(Class: { readonly prototype: A }, fields: object): A =>
  Object.assign(Object.create(Class.prototype), fields)
