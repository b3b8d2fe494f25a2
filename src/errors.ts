// A configuration problem a person can act on: each entry says where (variable or file and key),
// what is wrong, and how to fix it. main.ts prints one line per problem and exits non-zero.
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}
