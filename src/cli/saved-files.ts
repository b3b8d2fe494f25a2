// The files a tool makes (images, binary resources), saved for the person at the terminal chat, who
// has no thread to see them in: one folder per chat, made when the first file comes, in the
// system's temporary folder (not the folder the chat runs in, which the chat should not litter).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ToolFile } from '../agent/content.js';

/** Saves files and returns where each went, or why it could not be saved; never throws. */
export type FileSaver = (files: ToolFile[]) => { name: string; path?: string; error?: string }[];

export function fileSaver(makeFolder: () => string = () => mkdtempSync(path.join(tmpdir(), 'chat-files-'))): FileSaver {
  let folder: string | undefined;
  let count = 0;
  return (files) =>
    files.map((file) => {
      try {
        folder ??= makeFolder();
        // Numbered, so two tools' image-1.png do not overwrite each other; no path parts from the tool.
        const target = path.join(folder, `${++count}-${path.basename(file.name).replace(/[^\w.\- ]/g, '_')}`);
        writeFileSync(target, Buffer.from(file.data, 'base64'));
        return { name: file.name, path: target };
      } catch (error) {
        return { name: file.name, error: error instanceof Error ? error.message : String(error) };
      }
    });
}
