// The Markdown tables of an answer as CSV files (RFC 4180: fields with a comma, a quote or a line
// break in quotes, quotes doubled, lines ended by CRLF). The tables are found by marked's lexer
// (GitHub-flavoured tables, escaped pipes and inline code included) and written by csv-stringify
// (csv.js.org/stringify), so neither the Markdown nor the CSV rules are written by hand here; only
// a cell's inline Markdown is reduced to its text (**q3** -> q3), which neither library does.
import { stringify } from 'csv-stringify/sync';
import { Lexer, type Token, type Tokens } from 'marked';

/** Each GitHub-flavoured Markdown table in `markdown`, in order, as CSV text (header row first) and its rows but the header. */
export function markdownTablesAsCsv(markdown: string): { csv: string; rows: number }[] {
  const tables = Lexer.lex(markdown, { gfm: true }).filter((token): token is Tokens.Table => token.type === 'table');
  return tables.map((table) => {
    const rows = [table.header, ...table.rows].map((row) => row.map((cell) => plainText(cell.tokens)));
    // csv-stringify quotes a field holding the CRLF record delimiter but not a lone LF, which RFC 4180 quotes too.
    return { csv: stringify(rows, { record_delimiter: 'windows', quoted_match: /[\r\n]/ }), rows: table.rows.length };
  });
}

/** The text of inline tokens without their Markdown: the words of emphasis, links and code. */
function plainText(tokens: Token[]): string {
  return tokens
    .map((token) => {
      if ('tokens' in token && Array.isArray(token.tokens) && token.tokens.length > 0) return plainText(token.tokens);
      // A line break in a cell is written <br> (GitHub's tables have no other way).
      if (token.type === 'br' || (token.type === 'html' && /^<br\s*\/?>$/i.test(token.raw))) return '\n';
      return 'text' in token && typeof token.text === 'string' ? token.text : '';
    })
    .join('');
}
