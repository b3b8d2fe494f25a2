// An answer posted as a file: when the question asks for one (plain words, no model call), the
// thread shows a short summary and the file holds the whole answer (answer.md), or its tables as
// CSV (answer.csv) when the question asks for CSV. ThreadSink decides when; this file says what.
import type { ToolFile } from '../../agent/content.js';
import { markdownTablesAsCsv } from '../../files/markdown-csv.js';

export type AnswerFileKind = 'markdown' | 'csv';

/**
 * Whether a question asks for the answer as a file ("as a file", "in a Markdown file", "as a
 * snippet"). Plain words, not a model call: a miss only means the answer comes as messages.
 */
export function asksForFile(question: string): boolean {
  return /\b(as|in|into)\s+(an?\s+)?(markdown\s+|md\s+|text\s+|downloadable\s+)?(file|snippet|attachment)\b/i.test(question);
}

/** Whether a question asks for CSV ("as CSV", "as a CSV file", "export it to csv"). */
export function asksForCsv(question: string): boolean {
  return /\b(as|in|into|to)\s+(an?\s+)?csv\b/i.test(question);
}

/** What file, if any, the question asks its answer to come as; CSV wins over a plain "as a file". */
export function askedFileKind(question: string): AnswerFileKind | undefined {
  if (asksForCsv(question)) return 'csv';
  return asksForFile(question) ? 'markdown' : undefined;
}

/** Characters of the summary a message keeps of an answer posted as a file. */
export const SUMMARY_CHARS = 300;

/**
 * The answer's first paragraph of prose (not a heading, a table, a code block or a rule), cut at a
 * word to SUMMARY_CHARS; '' when it has none.
 */
export function summaryOf(answer: string): string {
  const paragraphs = answer.split(/\n\s*\n/).map((p) => p.trim());
  const prose = paragraphs.find((p) => p !== '' && !/^(#{1,6}\s|\||```|~~~|(-{3,}|\*{3,}|_{3,})$)/.test(p)) ?? '';
  if (prose.length <= SUMMARY_CHARS) return prose;
  const cut = prose.slice(0, SUMMARY_CHARS);
  const space = cut.search(/\s\S*$/);
  return `${(space > SUMMARY_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The files an answer goes out as, with the line each file's message carries; none for CSV without a table. */
export function answerFiles(answer: string, kind: AnswerFileKind): { file: ToolFile; comment: string }[] {
  if (kind === 'markdown') {
    return [{
      file: { name: 'answer.md', mimeType: 'text/markdown', data: Buffer.from(answer, 'utf8').toString('base64') },
      comment: `:page_facing_up: The whole answer as a Markdown file (${answer.length.toLocaleString('en-US')} characters).`,
    }];
  }
  const tables = markdownTablesAsCsv(answer);
  return tables.map(({ csv, rows }, i) => {
    return {
      file: { name: i === 0 ? 'answer.csv' : `answer-${i + 1}.csv`, mimeType: 'text/csv', data: Buffer.from(csv, 'utf8').toString('base64') },
      comment: `:bar_chart: ${tables.length > 1 ? `Table ${i + 1} of the answer` : 'The table of the answer'} as CSV (${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'}).`,
    };
  });
}
