// The error every reader of user data throws: browser-safe (no files here), so the modules a page
// shares with the CLI can throw it too. io/files.ts re-exports it beside the file helpers.

/** A file or folder is missing, unreadable or malformed; the CLI prints the message as one line and exits 1. */
export class DataError extends Error {
  override name = 'DataError';
}
