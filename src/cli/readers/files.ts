/** Opening input files: only regular files are read, checked on the open descriptor, never by name alone. */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { basename } from "node:path";
import { InputError } from "../input-error.js";

/** What a path is when it is not a regular file, in words. */
export function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return "a folder";
  if (stat.isFIFO()) return "a named pipe (FIFO)";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  if (stat.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * Opens an input file for reading, refusing anything but a regular file (a device such as /dev/zero, a
 * FIFO, a socket) with an InputError. The file is opened without blocking, so that a FIFO with no writer
 * does not hang the open, and judged by `fstat` on the descriptor, so that a link swapped in between
 * cannot pass.
 *
 * @param path - the file
 * @returns the open descriptor and its size
 * @throws InputError for what is not a regular file
 */
export function openRegularFile(path: string): { fd: number; size: number } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  let stat: Stats;
  try {
    stat = fstatSync(fd);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  if (!stat.isFile()) {
    closeSync(fd);
    throw new InputError(`${basename(path)}: ${kindOf(stat)}, not a regular file; only regular files are read 只读取普通文件`);
  }
  return { fd, size: stat.size };
}

/**
 * Reads a regular file whole, at most `maxBytes` (a file that grows past it while read is too large too).
 *
 * @param path - the file
 * @param maxBytes - the largest size read
 * @returns its bytes, or null for a larger file
 * @throws InputError for a file that is not regular
 */
export function readRegularFile(path: string, maxBytes: number): Buffer | null {
  const { fd, size } = openRegularFile(path);
  try {
    if (size > maxBytes) return null;
    // Read to the end, not to the size stat gave: a file that grows meanwhile is read whole or refused.
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.max(1, Math.min(maxBytes + 1 - total, Math.max(size - total, 0) + 1, 1 << 24)));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      parts.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) return null;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
  } finally {
    closeSync(fd);
  }
}
