"""The rules every media store keeps: the folder store and the S3 store run the same tests.

The S3 store talks real HTTP to moto's S3 server (a child process on 127.0.0.1).
"""

from __future__ import annotations

import hashlib
import io
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.blobs import BlobStore, InvalidKey, LocalBlobStore
from storage.s3_blobs import S3BlobStore
from tests.s3_server import Bucket

MiB = 1024 * 1024
S3_PREFIX = "tenant-a/media"


@dataclass
class Case:
    """A store, and a look behind it at what takes space but is no visible key."""

    store: BlobStore
    leftovers: Callable[[], list[str]]
    scratch: Path


def folder_case(tmp_path: Path) -> Case:
    root = tmp_path / "store"
    store = LocalBlobStore(root)

    def leftovers() -> list[str]:
        visible = {str(root / info.key) for info in store.listing()}
        # Anything on disk that is no key: temporary files, and files outside the root.
        return sorted(
            str(p)
            for p in tmp_path.rglob("*")
            if p.is_file() and str(p) not in visible and "scratch" not in p.parts
        )

    return Case(store, leftovers, tmp_path / "scratch")


def s3_case(tmp_path: Path, bucket: Bucket) -> Case:
    store = S3BlobStore(bucket.client, bucket.name, S3_PREFIX)  # type: ignore[arg-type]

    def leftovers() -> list[str]:
        visible = {f"{S3_PREFIX}/{info.key}" for info in store.listing()}
        stray = [k for k in bucket.object_keys() if k not in visible]
        return stray + [f"unfinished upload {k}" for k in bucket.unfinished_uploads()]

    return Case(store, leftovers, tmp_path / "scratch")


@pytest.fixture(params=["folder", "s3"])
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Case]:
    if request.param == "folder":
        made = folder_case(tmp_path)
    else:
        made = s3_case(tmp_path, request.getfixturevalue("s3_bucket"))
    made.scratch.mkdir()
    yield made
    made.store.close()


def write(case: Case, name: str, data: bytes) -> Path:
    path = case.scratch / name
    path.write_bytes(data)
    return path


def read(store: BlobStore, key: str) -> bytes | None:
    blob = store.open(key)
    if blob is None:
        return None
    with blob:
        return b"".join(blob.chunks(64 * 1024))


def pattern(size: int, seed: int = 0) -> bytes:
    """Bytes that differ at every offset from another seed's, so a mix would show."""
    block = hashlib.sha256(str(seed).encode()).digest() * 2048  # 64 KiB
    return (block * (size // len(block) + 1))[:size]


KEY = "media/01JDQ7Z5K8M2X0EXAMPLE/original"


class TestRoundTrip:
    def test_what_was_put_comes_back_with_its_size(self, case: Case) -> None:
        data = pattern(300_000)
        case.store.put_file(KEY, write(case, "a", data))
        assert case.store.exists(KEY)
        blob = case.store.open(KEY)
        assert blob is not None
        with blob:
            assert blob.size == len(data)
            assert blob.read() == data

    def test_an_empty_file_is_a_file(self, case: Case) -> None:
        case.store.put_stream(KEY, io.BytesIO(b""))
        assert case.store.exists(KEY)
        assert read(case.store, KEY) == b""
        assert [i.size for i in case.store.listing()] == [0]

    def test_a_stream_is_stored_like_a_file(self, case: Case) -> None:
        case.store.put_stream(KEY, io.BytesIO(b"from a stream"))
        assert read(case.store, KEY) == b"from a stream"

    def test_nothing_stored_is_none_and_not_there(self, case: Case) -> None:
        assert case.store.open(KEY) is None
        assert not case.store.exists(KEY)
        assert list(case.store.listing()) == []

    def test_a_folder_is_not_a_file(self, case: Case) -> None:
        case.store.put_stream(KEY, io.BytesIO(b"x"))
        folder = KEY.rsplit("/", 1)[0]
        assert case.store.open(folder) is None
        assert not case.store.exists(folder)

    def test_an_overwrite_replaces_the_file_and_leaves_one_key(self, case: Case) -> None:
        case.store.put_file(KEY, write(case, "a", b"first version, longer"))
        case.store.put_file(KEY, write(case, "b", b"second"))
        assert read(case.store, KEY) == b"second"
        assert [(i.key, i.size) for i in case.store.listing()] == [(KEY, 6)]
        assert case.leftovers() == []


class TestDelete:
    def test_delete_removes_one_file_only(self, case: Case) -> None:
        other = KEY.replace("original", "thumbnail")
        case.store.put_stream(KEY, io.BytesIO(b"a"))
        case.store.put_stream(other, io.BytesIO(b"b"))
        case.store.delete(KEY)
        assert not case.store.exists(KEY)
        assert read(case.store, other) == b"b"

    def test_deleting_what_is_not_there_is_no_error(self, case: Case) -> None:
        case.store.delete(KEY)
        case.store.delete(KEY)  # twice: a retried purge
        assert case.store.delete_prefix("media/nothing-here/") == 0

    def test_delete_prefix_counts_and_is_a_folder_not_a_string_prefix(self, case: Case) -> None:
        for key in ("media/a/original", "media/a/thumbnail", "media/ab/original"):
            case.store.put_stream(key, io.BytesIO(key.encode()))
        assert case.store.delete_prefix("media/a") == 2
        assert [i.key for i in case.store.listing()] == ["media/ab/original"]
        assert case.store.delete_prefix("media/a/") == 0
        assert case.leftovers() == []

    def test_a_file_deleted_while_it_is_being_read_is_read_whole(self, case: Case) -> None:
        data = pattern(3 * MiB)
        case.store.put_stream(KEY, io.BytesIO(data))
        blob = case.store.open(KEY)
        assert blob is not None
        first = blob.read(64 * 1024)
        case.store.delete(KEY)
        assert first + b"".join(blob.chunks()) == data
        assert not case.store.exists(KEY)


class TestListing:
    def test_listing_is_in_key_order_with_sizes_and_utc_times(self, case: Case) -> None:
        keys = ["media/b/thumbnail", "media/a-b/original", "media/a/z", "media/a/original"]
        before = datetime.now(UTC)
        for key in keys:
            case.store.put_stream(key, io.BytesIO(key.encode()))
        after = datetime.now(UTC)
        found = list(case.store.listing())
        assert [i.key for i in found] == sorted(keys)
        assert all(i.size == len(i.key) for i in found)
        for info in found:
            assert info.modified.utcoffset() == timedelta(0)
            # S3 keeps whole seconds; the sweep compares with cut-offs hours apart.
            assert before - timedelta(seconds=2) <= info.modified <= after + timedelta(seconds=2)

    def test_listing_a_prefix_shows_only_that_folder(self, case: Case) -> None:
        for key in ("media/a/original", "media/ab/original", "other/a/x"):
            case.store.put_stream(key, io.BytesIO(b"x"))
        assert [i.key for i in case.store.listing("media/a/")] == ["media/a/original"]
        assert [i.key for i in case.store.listing("media/a")] == ["media/a/original"]
        assert [i.key for i in case.store.listing("media/")] == [
            "media/a/original",
            "media/ab/original",
        ]
        assert list(case.store.listing("nothing/")) == []


BAD_KEYS = [
    "",
    "/",
    "../x",
    "../../etc/passwd",
    "media/../../x",
    "media/a/../../../x",
    "/etc/passwd",
    "media//x",
    "media/./x",
    "media/x/",
    ".hidden",
    "media/.tmp-abc",
    "media/-x",
    "a\\b",
    "..\\x",
    "a\x00b",
    "a\nb",
    "ｍedia/x",
    "media/x y",
    "media/%2e%2e/x",
    "~/x",
    "C:/x",
    "media/" + "x" * 600,
]


class TestHostileKeys:
    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_every_operation_refuses_the_key_and_nothing_is_written(
        self, case: Case, key: str
    ) -> None:
        source = write(case, "src", b"payload")
        attempts: list[Callable[[], object]] = [
            lambda: case.store.put_file(key, source),
            lambda: case.store.put_stream(key, io.BytesIO(b"payload")),
            lambda: case.store.open(key),
            lambda: case.store.exists(key),
            lambda: case.store.delete(key),
        ]
        for attempt in attempts:
            with pytest.raises(InvalidKey):
                attempt()
        assert list(case.store.listing()) == []
        assert case.leftovers() == []

    @pytest.mark.parametrize("prefix", ["", "/", "..", "../", "media/../..", "/etc", ".tmp-x/"])
    def test_delete_prefix_refuses_empty_and_escaping_prefixes(
        self, case: Case, prefix: str
    ) -> None:
        case.store.put_stream(KEY, io.BytesIO(b"keep me"))
        with pytest.raises(InvalidKey):
            case.store.delete_prefix(prefix)
        assert read(case.store, KEY) == b"keep me"

    @pytest.mark.parametrize("prefix", ["/", "..", "../", "media/../..", "a//", "~/"])
    def test_listing_refuses_escaping_prefixes(self, case: Case, prefix: str) -> None:
        with pytest.raises(InvalidKey):
            list(case.store.listing(prefix))

    def test_a_file_next_to_the_store_cannot_be_reached(self, case: Case) -> None:
        (case.scratch.parent / "secret.txt").write_bytes(b"not media")
        for key in ("../secret.txt", "media/../../secret.txt"):
            with pytest.raises(InvalidKey):
                case.store.open(key)


class FailingStream:
    """Yields `fail_at` bytes of data, then raises as a dropped connection would."""

    def __init__(self, fail_at: int) -> None:
        self.data = io.BytesIO(pattern(fail_at + MiB, seed=9))
        self.fail_at = fail_at

    def read(self, size: int = -1, /) -> bytes:
        left = self.fail_at - self.data.tell()
        if left <= 0:
            raise ConnectionResetError("the source went away")
        return self.data.read(left if size < 0 else min(size, left))

    def close(self) -> None:
        pass


class GatedStream:
    """`size` bytes that stop at `gate` until the test opens the gate."""

    def __init__(self, size: int, gate: int, seed: int = 5) -> None:
        self.data = io.BytesIO(pattern(size, seed))
        self.gate = gate
        self.reached = threading.Event()
        self.go = threading.Event()

    def read(self, size: int = -1, /) -> bytes:
        pos = self.data.tell()
        if pos >= self.gate and not self.go.is_set():
            self.reached.set()
            if not self.go.wait(60):
                raise TimeoutError("the test never opened the gate")
        limit = self.gate - pos if pos < self.gate else -1
        want = size if size >= 0 else -1
        if limit > 0:
            want = limit if want < 0 else min(want, limit)
        return self.data.read(want)

    def close(self) -> None:
        pass


# Small: one PUT. Large: past the S3 store's multipart threshold (16 MiB), so parts are sent.
SIZES = [pytest.param(256 * 1024, id="small"), pytest.param(20 * MiB, id="multipart")]


class TestAtomicVisibility:
    @pytest.mark.parametrize("fail_at", SIZES)
    @pytest.mark.parametrize("existing", [False, True], ids=["new", "overwrite"])
    def test_an_upload_that_fails_midway_leaves_no_trace(
        self, case: Case, fail_at: int, existing: bool
    ) -> None:
        if existing:
            case.store.put_stream(KEY, io.BytesIO(b"the earlier file"))
        with pytest.raises(Exception, match="the source went away"):
            case.store.put_stream(KEY, FailingStream(fail_at))
        assert read(case.store, KEY) == (b"the earlier file" if existing else None)
        assert case.leftovers() == []

    @pytest.mark.parametrize("size", SIZES)
    @pytest.mark.parametrize("existing", [False, True], ids=["new", "overwrite"])
    def test_a_write_in_progress_is_never_seen(self, case: Case, size: int, existing: bool) -> None:
        old = pattern(1000, seed=1)
        if existing:
            case.store.put_stream(KEY, io.BytesIO(old))
        stream = GatedStream(size + MiB, gate=size)
        failure: list[BaseException] = []

        def upload() -> None:
            try:
                case.store.put_stream(KEY, stream)
            except BaseException as exc:  # pragma: no cover - shown by the assert below
                failure.append(exc)

        writer = threading.Thread(target=upload)
        writer.start()
        try:
            assert stream.reached.wait(60), "the upload never read up to the gate"
            assert read(case.store, KEY) == (old if existing else None)
            assert case.store.exists(KEY) is existing
            assert [i.size for i in case.store.listing()] == ([len(old)] if existing else [])
        finally:
            stream.go.set()
            writer.join(120)
        assert failure == []
        assert read(case.store, KEY) == pattern(size + MiB, seed=5)

    def test_a_reader_that_opened_before_an_overwrite_reads_one_whole_version(
        self, case: Case
    ) -> None:
        old, new = pattern(4 * MiB, seed=1), pattern(4 * MiB, seed=2)
        case.store.put_stream(KEY, io.BytesIO(old))
        blob = case.store.open(KEY)
        assert blob is not None
        head = blob.read(64 * 1024)
        case.store.put_stream(KEY, io.BytesIO(new))
        assert head + b"".join(blob.chunks()) == old
        assert read(case.store, KEY) == new

    def test_readers_racing_a_writer_see_only_whole_versions(self, case: Case) -> None:
        versions = [pattern(MiB, seed=s) for s in range(3)]
        case.store.put_stream(KEY, io.BytesIO(versions[0]))
        stop = threading.Event()

        def rewrite() -> None:
            for i in range(12):
                case.store.put_stream(KEY, io.BytesIO(versions[i % 3]))
            stop.set()

        writer = threading.Thread(target=rewrite)
        writer.start()
        seen = 0
        while not stop.is_set() or seen == 0:
            assert read(case.store, KEY) in versions
            seen += 1
        writer.join(60)


class TestLargeFiles:
    def test_a_large_file_goes_in_and_out_without_being_held_in_memory(self, case: Case) -> None:
        size = 48 * MiB
        source = case.scratch / "large"
        digest = hashlib.sha256()
        with source.open("wb") as out:
            for i in range(size // MiB):
                block = pattern(MiB, seed=i)
                digest.update(block)
                out.write(block)
        tracemalloc.start()
        try:
            case.store.put_file(KEY, source)
            blob = case.store.open(KEY)
            assert blob is not None
            assert blob.size == size
            back = hashlib.sha256()
            for chunk in blob.chunks():
                back.update(chunk)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert back.hexdigest() == digest.hexdigest()
        assert peak < size // 4, f"peak {peak / MiB:.1f} MiB for a {size // MiB} MiB file"
