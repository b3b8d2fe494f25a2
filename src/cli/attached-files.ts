// `@path/to/file` in a terminal chat question attaches that file, the way a file attached to a Slack
// question does (src/files/content.ts): images and PDFs as blocks, text files as text, anything else
// or anything over a cap named in a sentence. `@"a path with spaces"` works too. A word after @ that
// is no file and does not look like a path ("@alice") is left as text.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { overCapSentence, questionContent, quoteName, toBlock, type FileBlock, type FileCaps } from '../files/content.js';
import { fitImage } from '../files/fit-image.js';
import { silentLogger } from '../log.js';

const AT_PATH = /(?:^|\s)@(?:"([^"]+)"|(\S+))/g;

/** The paths a question names with @, in order, each once. */
export function atPaths(query: string): string[] {
  const paths = [...query.matchAll(AT_PATH)].map((m) => m[1] ?? m[2] ?? '').map((p) => p.replace(/[,;:!?)]+$/, ''));
  return [...new Set(paths.filter((p) => p !== ''))];
}

export interface AttachedQuestion {
  content: string | Anthropic.ContentBlockParam[];
  /** One sentence per file named that was left out, for the person at the terminal. */
  sentences: string[];
}

/** The question with the files it names attached, read relative to `cwd`. */
export async function attachFiles(query: string, caps: FileCaps, cwd = process.cwd()): Promise<AttachedQuestion> {
  const blocks: FileBlock[] = [];
  const sentences: string[] = [];
  let used = 0;
  for (const named of atPaths(query)) {
    const file = path.resolve(cwd, named);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      if (/[/\\.]/.test(named)) sentences.push(`The file ${quoteName(named)} was not found, so it was not read.`);
      continue;
    }
    if (info.size > caps.maxFileBytes) {
      sentences.push(overCapSentence(named, info.size, caps.maxFileBytes, 'file'));
      continue;
    }
    if (used + info.size > caps.maxQuestionBytes) {
      sentences.push(overCapSentence(named, info.size, caps.maxQuestionBytes, 'question'));
      continue;
    }
    // An image over the API's limits is scaled down first, in a worker thread (fit-image.ts).
    const converted = toBlock(await fitImage({ name: path.basename(named), bytes: await readFile(file) }, silentLogger));
    if (!converted.ok) {
      sentences.push(converted.sentence);
      continue;
    }
    used += info.size;
    blocks.push(converted.block);
  }
  return { content: questionContent(query, blocks, sentences), sentences };
}
