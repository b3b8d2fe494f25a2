// The two failures supervision acts on: a start that failed (with what the server said, and whether
// trying again later may help), and a session that turned out to be gone before a request reached the
// server (so sending it again on a fresh session cannot run anything twice).

/** A start that failed, with what the server said on stderr. */
export class ServerStartError extends Error {
  constructor(
    message: string,
    readonly diagnostics: string[],
    /** A passing condition (network, server restarting, 5xx): worth retrying with backoff. */
    readonly retryable = false,
    /** The HTTP status a remote server answered with, when that is what failed. */
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'ServerStartError';
  }
}

/** The session had ended (server restarted, unreachable) and the request was not delivered. */
export class SessionLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionLostError';
  }
}
