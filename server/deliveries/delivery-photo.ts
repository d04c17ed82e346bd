import type { RequestHandler } from 'express';
import multer from 'multer';
import { AppError } from '../shared/errors.js';

const ACCEPTED = new Set(['jpeg', 'png', 'webp']);
const MAX_WIDTH = 2000;
// A 50-megapixel phone photo is about 8200 × 6100: anything far bigger is a decompression bomb, not a photo.
const MAX_INPUT_PIXELS = 100_000_000;

const refused = (status: number, code: string, message: string, vars?: Record<string, number>) => new AppError(status, code, message, { photo: code }, { vars });

export const photoTooLarge = (maxMb: number) => refused(413, 'photo_too_large', `The photo is larger than ${maxMb} MB.`, { maxMb });

/** Reads a form with at most one photo in the field "photo" into `req.file`; memory only, since a photo is re-encoded at once and never touches the disk. */
export function receivePhoto(maxMb: number): RequestHandler {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxMb * 1024 * 1024, files: 1, fields: 8, fieldSize: 16 * 1024, parts: 9, headerPairs: 20 },
  }).single('photo');
  return (req, res, next) => {
    upload(req, res, (error: unknown) => {
      if (!(error instanceof multer.MulterError)) return next(error);
      if (error.code === 'LIMIT_FILE_SIZE') return next(photoTooLarge(maxMb));
      next(new AppError(400, 'upload_invalid', 'The upload could not be read. Send the form with at most one photo in the field "photo".'));
    });
  };
}

/**
 * Checks an uploaded photo by its content (never by the name or type the browser claims) and
 * re-encodes it as a JPEG at most 2000 px wide. The re-encoding writes no metadata: EXIF, GPS and
 * XMP are dropped, because a photo taken at an embassy door must not tell where, when or on whose
 * phone it was taken. The EXIF orientation is applied to the pixels first, so nothing looks rotated.
 */
export async function cleanPhoto(data: Buffer, maxMb: number): Promise<{ data: Buffer; contentType: 'image/jpeg'; width: number; height: number }> {
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
      .toBuffer({ resolveWithObject: true });
    return { data: clean.data, contentType: 'image/jpeg', width: clean.info.width, height: clean.info.height };
  } catch (error) {
    throw new AppError(422, 'photo_unreadable', 'The photo could not be read. It may be damaged or too large in pixels.', { photo: 'photo_unreadable' }, { cause: error });
  }
}
