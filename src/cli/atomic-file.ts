import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { closeSync, constants, createWriteStream, fchmodSync, fstatSync, fsyncSync, openSync, readdirSync, realpathSync, renameSync, statSync, unlinkSync, type Stats, type WriteStream } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { terminalText } from "../_lib/inert.js";

/** A file the CLI cannot write, or may not (it is one of the run's inputs): exit code 2, one line. */
export class OutputError extends Error {
  override name = "OutputError" as const;
}

const REASONS: Record<string, string> = {
  ENOENT: "its folder does not exist 目录不存在",
  ENOTDIR: "a part of its path is not a folder 路径中有非目录",
  EISDIR: "it is a folder 是目录",
  EACCES: "permission denied 无权限",
  EPERM: "permission denied 无权限",
  ENOSPC: "no space left on the device 磁盘已满",
  EDQUOT: "the disk quota is exceeded 超出磁盘配额",
  EROFS: "the file system is read-only 文件系统只读",
  EFBIG: "the file is too large 文件过大",
  EIO: "an input/output error 读写错误",
  EPIPE: "the reader closed the pipe 管道已关闭",
};

/**
 * The one-line message for a failure to write a file: the file, what went wrong in words, and the
 * system's code. Never a stack; never the name of the temporary file.
 *
 * @param what - the file as the user named it, or "standard output"
 * @param error - the error thrown or emitted
 * @returns an OutputError to throw
 */
export function writeFault(what: string, error: unknown): OutputError {
  if (error instanceof OutputError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const reason = (code && REASONS[code]) ?? (error as Error | null)?.message ?? String(error);
  return new OutputError(`cannot write ${terminalText(what)} 无法写入: ${reason}${code ? ` (${code})` : ""}`);
}

// Temporary files not yet renamed into place: removed on a failure, a signal or an exit.
const temporaries = new Set<string>();

/** Removes every temporary file not yet renamed into place (on a signal, or at exit). Synchronous. */
export function removeTemporaryFiles(): void {
  for (const path of temporaries) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
  temporaries.clear();
}

/** A file being written: bytes go to `stream`; `commit` puts it in place whole, `abort` leaves no trace. */
export interface OutputFile {
  /** The path as given. */
  readonly path: string;
  /** Where the bytes go; its errors are caught (see `failed`). */
  readonly stream: WriteStream;
  /** Rejects with the OutputError once the stream fails; never resolves. Race long waits against it. */
  readonly failed: Promise<never>;
  /** Throws the OutputError if the stream has failed. */
  check(): void;
  /** Ends the stream and makes its bytes durable (flushed and synced), without putting the file in place. */
  finish(): Promise<void>;
  /** Renames the finished file over its target: the previous file, if any, is replaced in one step. */
  publish(): void;
  /** `finish` then `publish`. */
  commit(): Promise<void>;
  /** Drops the file: the temporary file is removed and the target left as it was. Harmless after commit. */
  abort(): void;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/**
 * Opens an output file to be written whole or not at all. The bytes go to a temporary file beside the
 * target (same folder, `.<name>.<random>.tmp`, created exclusively, so two runs never share one); when
 * complete it is flushed, synced and renamed over the target. A failed, refused or interrupted run
 * removes it, and the previous target stays untouched. A target that is a device or a pipe
 * (`/dev/null`, `/dev/stdout`) is written directly: it has no previous content to keep.
 *
 * @param target - the path to write, as the user gave it
 * @param highWaterMark - bytes the stream takes before it asks the writer to wait
 * @returns the open file
 * @throws OutputError when it cannot be created (a missing folder, a folder, no permission)
 */
export function openOutputFile(target: string, highWaterMark = 1 << 22): OutputFile {
  let st: Stats | null;
  try {
    st = statOrNull(target);
  } catch (error) {
    throw writeFault(target, error);
  }
  if (st?.isDirectory()) throw writeFault(target, Object.assign(new Error("is a folder"), { code: "EISDIR" }));
  const direct = st !== null && !st.isFile();
  let real: string;
  let temp: string | null = null;
  let fd: number;
  try {
    if (direct) {
      real = target;
      fd = openSync(target, "w");
    } else {
      // Beside the real file when the target is a link to one: the rename then replaces that file.
      real = st ? realpathSync(target) : resolve(target);
      temp = join(dirname(real), `.${basename(real)}.${randomBytes(6).toString("hex")}.tmp`);
      fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
      temporaries.add(temp);
      if (st) fchmodSync(fd, st.mode & 0o7777);
    }
  } catch (error) {
    if (temp !== null) forget(temp);
    throw writeFault(target, error);
  }
  const stream = createWriteStream("", { fd, autoClose: false, highWaterMark });
  let fault: OutputError | null = null;
  let fail!: (e: OutputError) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {});
  stream.on("error", (error) => {
    fault ??= writeFault(target, error);
    fail(fault);
  });
  let state: "open" | "finished" | "published" | "aborted" = "open";
  // The stream owns the descriptor: destroying it closes the descriptor once no write is in flight.
  const release = async () => {
    if (stream.closed) return;
    const closed = once(stream, "close");
    stream.destroy();
    await closed;
  };
  const check = () => {
    if (fault) throw fault;
  };
  const file: OutputFile = {
    path: target,
    stream,
    failed,
    check,
    async finish() {
      try {
        check();
        if (!stream.writableEnded) stream.end();
        if (!stream.writableFinished) await Promise.race([once(stream, "finish"), failed]);
        check();
        if (!direct) fsyncSync(fd);
        await release();
        check();
        state = "finished";
      } catch (error) {
        file.abort();
        throw writeFault(target, error);
      }
    },
    publish() {
      if (state !== "finished") throw new Error("publish before finish");
      if (temp !== null) {
        try {
          renameSync(temp, real);
        } catch (error) {
          file.abort();
          throw writeFault(target, error);
        }
        temporaries.delete(temp);
        syncFolder(dirname(real));
      }
      state = "published";
    },
    async commit() {
      await file.finish();
      file.publish();
    },
    abort() {
      if (state === "published" || state === "aborted") return;
      state = "aborted";
      if (temp !== null) forget(temp);
      // The descriptor is closed once the stream is done with it (a write may still be in flight).
      if (!stream.destroyed) stream.destroy();
    },
  };
  return file;
}

function forget(temp: string): void {
  temporaries.delete(temp);
  try {
    unlinkSync(temp);
  } catch {
    // never created, or already gone
  }
}

/** Makes a rename durable: syncs the folder's entry (best effort: some file systems refuse). */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not supported here
  }
}

/**
 * Writes several files whole, as one step as far as a file system allows: every file is written and
 * synced beside its target first, and only then are they renamed into place, one after the other.
 *
 * @param files - each target and its content
 */
export async function writeFilesAtomically(files: Array<{ path: string; data: string | Uint8Array }>): Promise<void> {
  const open: OutputFile[] = [];
  try {
    for (const f of files) {
      const file = openOutputFile(f.path);
      open.push(file);
      if (!file.stream.write(f.data)) await Promise.race([once(file.stream, "drain"), file.failed]);
    }
    for (const file of open) await file.finish();
    for (const file of open) file.publish();
  } finally {
    for (const file of open) file.abort();
  }
}

/** The identity of a file: device and inode. */
const identity = (st: Stats) => `${st.dev}:${st.ino}`;

/** Files and folders inside a folder, as far down as a rule set or a register goes. */
function collect(path: string, into: Set<string>, folders: string[], depth: number): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return;
  }
  into.add(identity(st));
  if (!st.isDirectory()) return;
  try {
    folders.push(realpathSync(path));
  } catch {
    // unreadable: nothing inside it can be read as an input either
  }
  if (depth >= 8) return;
  let names: string[];
  try {
    names = readdirSync(path);
  } catch {
    return;
  }
  for (const name of names) collect(join(path, name), into, folders, depth + 1);
}

/**
 * Refuses an output that names one of the run's inputs, before anything is opened for writing: the same
 * file (by device and inode, so links and other spellings count), a file inside an input folder, a path
 * inside an input folder, or two outputs that are one file. Standard output redirected into an input
 * file is refused too.
 *
 * @param inputs - every file and folder the run reads (a rules folder included)
 * @param outputs - each output's option name and path; null entries (standard output) are skipped
 * @param stdoutUsed - whether the run writes to standard output
 * @throws OutputError naming the output and the input
 */
export function refuseOutputsOverInputs(inputs: string[], outputs: Array<{ option: string; path: string | null }>, stdoutUsed = false): void {
  const ids = new Set<string>();
  const folders: string[] = [];
  const owner = new Map<string, string>();
  for (const input of inputs) {
    const before = new Set(ids);
    collect(input, ids, folders, 0);
    for (const id of ids) if (!before.has(id)) owner.set(id, input);
  }
  const refuse = (option: string, path: string, input: string) =>
    new OutputError(`${option} ${terminalText(path)} is an input of this run (${terminalText(input)}): refusing to write over it 输出文件是本次运行的输入，拒绝覆盖`);
  const seen = new Map<string, string>();
  for (const { option, path } of outputs) {
    if (path === null) continue;
    let st: Stats | null = null;
    try {
      st = statOrNull(path);
    } catch {
      // reported when the file is opened
    }
    if (st && !st.isFile() && !st.isDirectory()) continue; // a device or a pipe holds no input
    if (st) {
      const id = identity(st);
      if (owner.has(id)) throw refuse(option, path, owner.get(id)!);
    }
    let where: string;
    try {
      where = join(realpathSync(dirname(resolve(path))), basename(path));
    } catch {
      where = resolve(path);
    }
    const folder = folders.find((f) => where.startsWith(`${f}/`));
    if (folder !== undefined) throw new OutputError(`${option} ${terminalText(path)} is inside an input folder of this run (${terminalText(folder)}): refusing to write there 输出文件位于输入目录中，拒绝写入`);
    const key = st ? identity(st) : where;
    if (seen.has(key)) throw new OutputError(`${option} ${terminalText(path)} is the same file as ${seen.get(key)}: give two different files 两个输出是同一文件`);
    seen.set(key, option);
  }
  if (stdoutUsed) {
    try {
      const st = fstatSync(1);
      if (st.isFile() && owner.has(identity(st))) throw new OutputError(`standard output is an input of this run (${terminalText(owner.get(identity(st))!)}): refusing to write over it 标准输出是本次运行的输入，拒绝覆盖`);
    } catch (error) {
      if (error instanceof OutputError) throw error;
    }
  }
}
