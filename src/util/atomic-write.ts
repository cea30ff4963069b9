import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Write through a temporary file in the same folder and rename, so readers never see half a report.
 * Devices and pipes (/dev/null, /dev/stdout, a FIFO) are written directly: renaming over them would replace them.
 */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const existing = await fs.stat(file).catch(() => undefined);
  if (existing && !existing.isFile()) {
    await fs.writeFile(file, data);
    return;
  }
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
