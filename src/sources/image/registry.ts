import type { ResolvedImage } from './image.js';
import { ImageError } from './store.js';

export async function pullImage(ref: string, _opts: { platform?: string; dockerConfig?: string }): Promise<ResolvedImage> {
  throw new ImageError(`registry:${ref}: not implemented yet`);
}
