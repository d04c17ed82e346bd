// The little of fontkit (pdfkit's font engine, which has no types of its own) that the packet calls directly.
declare module 'fontkit' {
  export interface Font {
    postscriptName: string;
    layout(text: string): unknown;
  }
  /** A face from a file's bytes; `postscriptName` picks one face of a collection (.ttc). */
  export function create(buffer: Buffer, postscriptName?: string): Font;
}
