// The report folder: images go to <out>/img, the page to <out>/index.html, every file written atomically.
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/files.js';
import { encodePng, type Raster } from '../../viz/png.js';

export class ReportFolder {
  private readonly names = new Set<string>();

  constructor(readonly dir: string) {}

  /** Write a PNG under img/ and return its path relative to index.html. Names must be unique within a report. */
  png(name: string, raster: Raster): string {
    if (this.names.has(name)) throw new Error(`report: image name '${name}' used twice`);
    this.names.add(name);
    const rel = `img/${name}.png`;
    writeFileAtomic(join(this.dir, rel), encodePng(raster));
    return rel;
  }

  /** Write index.html last, so a complete page never points at a missing image. Returns its path. */
  page(html: string): string {
    const path = join(this.dir, 'index.html');
    writeFileAtomic(path, html);
    return path;
  }
}
