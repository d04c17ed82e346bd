import QRCode from 'qrcode';

// M recovers from about 15% damage: enough for a creased poster or a phone screen with glare, at a size a
// 60-character address still fits in a 33×33 grid that cheap phone cameras read from across a table.
const OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;
const MAX_CACHED = 500;

/** A few hundred QR codes a page view would otherwise redraw: each is a pure function of its address. */
function memo<T>(make: (text: string) => Promise<T>): (text: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (text) => {
    let found = cache.get(text);
    if (!found) {
      if (cache.size >= MAX_CACHED) cache.clear();
      found = make(text);
      cache.set(text, found);
      found.catch(() => cache.delete(text));
    }
    return found;
  };
}

/** The code as SVG (one path, black on white, no size of its own: it fills its box). */
export const qrSvg = memo((text) => QRCode.toString(text, { ...OPTIONS, type: 'svg' }));

/** The code as a PNG, 10 pixels a module: about 400 px square, sharp when printed at 5 cm. */
export const qrPng = memo((text) => QRCode.toBuffer(text, { ...OPTIONS, type: 'png', scale: 10 }));

/** The code's modules, for drawing it as vector shapes (the poster). `dark(row, column)`. */
export function qrMatrix(text: string): { size: number; dark: (row: number, column: number) => boolean } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: OPTIONS.errorCorrectionLevel });
  return { size: modules.size, dark: (row, column) => Boolean(modules.get(row, column)) };
}
