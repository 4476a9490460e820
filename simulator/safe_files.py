"""Writing safely: files written atomically (a kill or a full disk leaves the old file), output folders
switched in one step, a lock per output folder, CSV with formula-like text neutralised.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from simulator.errors import InputError
from simulator.i18n import ILLUSTRATIVE_LINE

log = logging.getLogger(__name__)


_HELD: dict[str, Any] = {}  # lock file path -> open file holding the lock, for this process


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` all at once or not at all.

    The bytes go to a temporary name in the same folder, are flushed to disk (fsync), and are
    renamed over ``path``: a reader sees the old file or the whole new one, never a part. A full
    disk or a kill leaves the old file untouched (and at most a ``.NAME.*.tmp`` file, removed on
    error)."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)
    return path


def _lock_path(folder: Path) -> Path:
    folder = Path(os.path.abspath(folder))
    return folder.parent / f".{folder.name}.lock"


#: flock errors that mean "another process holds it"; any other error means the file system has no
#: working flock (some network or FUSE file systems), and the pid written in the lock file decides.
_HELD_ERRNOS = (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES)


def _holder(handle) -> int | None:
    """The process id written in an open lock file, if any."""
    handle.seek(0)
    text = handle.read(32).strip()
    return int(text) if text.isdigit() else None


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (a zombie counts as dead)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to another user
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def claim_folder(folder: str | Path) -> Path:
    """Lock the output ``folder`` for this process until it ends (``run --output`` takes it before
    computing, so two runs into one folder cannot both succeed: the second is refused at once).

    The lock is an exclusive ``flock`` on ``.NAME.lock`` beside the folder, with the holder's
    process id written in it; the operating system drops the flock when the process ends,
    however it ends, so the lock file a killed run leaves behind never blocks the next run. Where
    the file system has no working flock, the written process id decides: a lock whose process
    is gone (a killed run) is taken over. Taking it again in the same process is a no-op. Raises
    InputError when another live process holds it."""
    import fcntl

    path = _lock_path(Path(folder))
    key = str(path)
    if key in _HELD:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        holder = _holder(handle)
        if err.errno in _HELD_ERRNOS or (holder is not None and _alive(holder)):
            handle.close()
            by = f" by process {holder}" if holder is not None else ""
            raise InputError(
                f"{folder}: another run is writing this folder (lock {path.name} held{by}); wait for it to "
                "finish or choose another output folder"
            ) from None
        log.warning(
            "%s: no working flock here (%s); lock of dead process %s taken over", path, err.strerror, holder
        )
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    _HELD[key] = handle
    return path


def release_folder(folder: str | Path) -> None:
    """Drop this process's lock on ``folder`` (taken by ``claim_folder``), if held."""
    handle = _HELD.pop(str(_lock_path(Path(folder))), None)
    if handle is not None:
        handle.close()


def clean_stale(folder: str | Path) -> list[Path]:
    """Remove what killed saves of ``folder`` left behind: ``.NAME.saving-*`` work folders and
    ``.NAME.old-*`` previous versions (when the folder itself exists; otherwise the newest old
    version is put back first). Call with the folder's lock held. Returns what was removed."""
    folder = Path(os.path.abspath(folder))
    parent = folder.parent
    if not parent.is_dir():
        return []
    olds = sorted(parent.glob(f".{folder.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if olds and not folder.exists():
        os.rename(olds.pop(), folder)  # a crash between the two renames of the fallback switch
    removed = [*parent.glob(f".{folder.name}.saving-*"), *olds]
    removed += (
        [p for p in folder.glob(".saving-*")] if folder.is_dir() else []
    )  # older versions' work folders
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot
        return False
    raise OSError(errno, os.strerror(errno), str(b))


def switch_folder(work: str | Path, folder: str | Path) -> None:
    """Make the complete folder ``work`` become ``folder`` in one step; the previous ``folder``
    (if any) is removed afterwards. Readers see the old folder or the new one, never a mix.

    Where the file system cannot exchange two names, the old folder is first renamed to
    ``.NAME.old-*`` (``clean_stale`` puts it back if the process dies before the new one is in
    place)."""
    work, folder = Path(work), Path(folder)
    _fsync_dir(work)
    if not folder.exists():
        os.rename(work, folder)
    elif _exchange(work, folder):
        shutil.rmtree(work, ignore_errors=True)  # now holds the previous version
    else:
        old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
        os.rmdir(old)
        os.rename(folder, old)
        os.rename(work, folder)
        shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(folder.parent)


def replace_folder(folder: str | Path, fill) -> Path:
    """Give ``folder`` new contents in one step, under its lock (``claim_folder``).

    ``fill(work)`` writes the new files into an empty work folder ``.NAME.saving-*`` beside
    ``folder``; files of ``folder`` that it did not write (the user's own) are copied over, and the
    complete work folder is switched in (``switch_folder``). A kill or a full disk at any step
    leaves the previous contents whole; what killed attempts left behind is removed first
    (``clean_stale``). Returns the folder (absolute)."""
    folder = Path(os.path.abspath(folder))
    folder.parent.mkdir(parents=True, exist_ok=True)
    held = str(_lock_path(folder)) in _HELD
    claim_folder(folder)
    work = None
    try:
        clean_stale(folder)
        work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.saving-", dir=folder.parent))
        fill(work)
        names = {p.name for p in work.iterdir()}
        if folder.is_dir():  # the user's own files in the folder stay
            for entry in folder.iterdir():
                if entry.name not in names and not entry.name.startswith(".saving-"):
                    if entry.is_dir():
                        shutil.copytree(entry, work / entry.name, symlinks=True)
                    else:
                        shutil.copy2(entry, work / entry.name, follow_symlinks=False)
        os.chmod(work, 0o755)
        switch_folder(work, folder)
        work = None
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
        if not held:
            release_folder(folder)
    return folder


#: First characters that make a spreadsheet read a cell as a formula (CSV injection; tab and
#: carriage return too, as OWASP lists them).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that a spreadsheet would run as a formula (a lever label
    ``=1+1``, ``@SUM(...)``) prefixed with an apostrophe, so Excel and LibreOffice show it as text.
    Number columns are left alone (-5 stays a number); a new frame when anything changed."""
    out = None
    for col in frame.columns:
        values = frame[col]
        if values.dtype != object and not pd.api.types.is_string_dtype(values.dtype):
            continue
        text = values.astype("string")
        risky = text.str.startswith(FORMULA_START).fillna(False).to_numpy(dtype=bool)
        if risky.any():
            out = frame.copy() if out is None else out
            column = out[col].astype(object).to_numpy(copy=True)
            column[risky] = ["'" + str(v) for v in column[risky]]
            out[col] = column
    return frame if out is None else out


def csv_text(frame: pd.DataFrame, illustrative: bool, **options) -> str:
    """``frame`` as CSV text; first a "# ..." line with the illustrative-data note when the numbers
    come from the illustrative history. This project's readers skip leading "#" lines; pandas
    reads such a file with ``skiprows=1`` (``comment="#"`` would also cut a lever named "x#2").
    Formula-like text is written as text (``neutralise``)."""
    return (f"# {ILLUSTRATIVE_LINE}\n" if illustrative else "") + neutralise(frame).to_csv(
        index=False, **options
    )


def write_csv(frame: pd.DataFrame, path: Path, illustrative: bool, **options) -> Path:
    """``csv_text`` written to ``path`` atomically (``atomic_write``): a kill or a full disk leaves
    the previous file, never a shorter one that still reads as a table."""
    return atomic_write(path, csv_text(frame, illustrative, **options))
