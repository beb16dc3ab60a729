// Minimal typings for hpack.js (it ships none): only the decompressor the raw HTTP/2 transport uses.
declare module 'hpack.js' {
  interface HeaderField {
    name: string;
    value: string;
    neverIndex: boolean;
  }
  interface Decompressor {
    write(chunk: Buffer): boolean;
    execute(cb?: (err: Error | null) => void): void;
    read(): HeaderField | null;
    on(event: 'error', cb: (e: Error) => void): this;
  }
  const hpack: { decompressor: { create(opts: { table: { size: number } }): Decompressor } };
  export default hpack;
}
