import { AppError } from '../shared/errors.js';

const ACCEPTED = new Set(['jpeg', 'png', 'webp']);
const MAX_WIDTH = 2000;
// A 50-megapixel phone photo is about 8200 × 6100: anything far bigger is a decompression bomb, not a photo.
const MAX_INPUT_PIXELS = 100_000_000;

const refused = (status: number, code: string, message: string, vars?: Record<string, number>) => new AppError(status, code, message, { photo: code }, { vars });

export const photoTooLarge = (maxMb: number) => refused(413, 'photo_too_large', `The photo is larger than ${maxMb} MB.`, { maxMb });

/**
 * Checks an uploaded photo by its content (never by the name or type the browser claims) and
 * re-encodes it as a JPEG at most 2000 px wide. The re-encoding writes no metadata: EXIF, GPS and
 * XMP are dropped, because a photo taken at an embassy door must not tell where, when or on whose
 * phone it was taken. The EXIF orientation is applied to the pixels first, so nothing looks rotated.
 */
export async function cleanPhoto(data: Buffer, maxMb: number): Promise<{ data: Buffer; contentType: 'image/jpeg' }> {
  if (data.length > maxMb * 1024 * 1024) throw photoTooLarge(maxMb);
  // Loaded on first use: libvips adds about 18 MB to every process, and most never see a photo.
  const { default: sharp } = await import('sharp');
  const format = await sharp(data, { limitInputPixels: MAX_INPUT_PIXELS })
    .metadata()
    .then((m) => m.format as string | undefined)
    .catch(() => undefined);
  if (!format || !ACCEPTED.has(format)) throw refused(415, 'photo_type', 'The photo must be a JPEG, PNG or WebP image.');
  try {
    const clean = await sharp(data, { limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .resize({ width: MAX_WIDTH, withoutEnlargement: true })
      .jpeg({ quality: 85, mozjpeg: true })
      .toBuffer();
    return { data: clean, contentType: 'image/jpeg' };
  } catch (error) {
    throw new AppError(422, 'photo_unreadable', 'The photo could not be read. It may be damaged or too large in pixels.', { photo: 'photo_unreadable' }, { cause: error });
  }
}
