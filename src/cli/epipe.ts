// `floodgate … | head` must end quietly: when the reader closes the pipe, the next write fails with EPIPE, which
// Node raises as an unhandled 'error' event (a stack trace on stderr). Stop writing and exit as `cat` would.
export function quietOnClosedPipe(stream: NodeJS.WriteStream, exit: (code: number) => void): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') exit(0);
    else throw err;
  });
}
