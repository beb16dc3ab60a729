/**
 * A malformed Go input (go.mod, go.sum, modules.txt, `go mod graph`, `go list -json`, a .go file header),
 * located at file:line:col. The CLI maps these to exit 2 naming the input; subclasses tell the kinds apart.
 */
export class GoInputError extends Error {
  constructor(
    readonly file: string,
    /** 1-based. */
    readonly line: number,
    /** 1-based, in UTF-16 code units of the line. */
    readonly col: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${col}: ${reason}`);
    this.name = new.target.name;
  }
}
