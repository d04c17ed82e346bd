import { cleanPhoto } from '../deliveries/delivery-photo.js';
import type { FileStore } from '../files/file-repository.js';
import { AppError, NotFoundError, ValidationError } from '../shared/errors.js';
import { createTtlCache } from '../shared/ttl-cache.js';
import type { PetitionRepository } from './petition-repository.js';
import type { PetitionService } from './petition-service.js';
import type { Petition, PetitionImage } from './petition-types.js';

const ALT_MAX = 300;

interface Deps {
  petitions: Pick<PetitionRepository, 'findBySlug' | 'update'>;
  petitionService: Pick<PetitionService, 'findVisible' | 'forget'>;
  files: Pick<FileStore, 'save' | 'open' | 'remove'>;
  /** config.DELIVERY_PHOTO_MAX_MB: one limit for every photo organisers upload. */
  maxMb: number;
}

export interface ImageBytes {
  data: Buffer;
  contentType: string;
  /** Changes whenever the image does: an ETag, and the version in the page's image URL. */
  version: string;
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

/**
 * A petition's one image: cleaned like a delivery photo (re-encoded, metadata dropped), stored
 * sealed, replaced or removed by organisers, read by the public page and the share image.
 */
export function createPetitionImages({ petitions, petitionService, files, maxMb }: Deps) {
  // Keyed by the file, so a replaced image is never served stale; each is at most a few hundred kB.
  const bytes = createTtlCache<Buffer>(10 * 60_000, 20);

  async function find(slug: string): Promise<Petition> {
    const petition = await petitions.findBySlug(slug);
    if (!petition) throw new AppError(404, 'petition_not_found', 'There is no petition at this address.');
    return petition;
  }

  async function store(petition: Petition, image: PetitionImage | null): Promise<void> {
    if ((await petitions.update(petition.id, { image })) === 'missing') throw new AppError(404, 'petition_not_found', 'There is no petition at this address.');
    if (petition.image) await files.remove(petition.image.fileId);
    petitionService.forget();
  }

  return {
    maxMb,

    /** Adds or replaces the image; `alt` describes it in the petition's main language. */
    async set(slug: string, upload: Buffer | null, altInput: unknown): Promise<PetitionImage> {
      const petition = await find(slug);
      const alt = typeof altInput === 'string' ? altInput.trim() : '';
      const fields = {
        ...(!upload || upload.length === 0 ? { photo: 'required' } : {}),
        ...(!alt ? { alt: 'required' } : alt.length > ALT_MAX ? { alt: 'too_long' } : {}),
      };
      if (Object.keys(fields).length > 0) throw new ValidationError(fields);
      const clean = await cleanPhoto(upload!, maxMb);
      const stored = await files.save(`petition-${petition.id}.jpg`, clean.contentType, clean.data, { kind: 'petition-image', petition: petition.id });
      const image = { fileId: stored.id, contentType: stored.contentType, bytes: stored.bytes, width: clean.width, height: clean.height, alt };
      await store(petition, image);
      return image;
    },

    async remove(slug: string): Promise<void> {
      const petition = await find(slug);
      if (!petition.image) throw new NotFoundError('This petition has no image.');
      await store(petition, null);
    },

    /** The image of a public (not draft) petition, or null when it has none: for the page and the share image. */
    async read(slug: string): Promise<ImageBytes | null> {
      const { image } = await petitionService.findVisible(slug);
      if (!image) return null;
      const data = await bytes.get(image.fileId, async () => readAll(await files.open(image.fileId)));
      return { data, contentType: image.contentType, version: image.fileId };
    },
  };
}

export type PetitionImages = ReturnType<typeof createPetitionImages>;
