"""A large project's incremental load: the forked child that extracted it hands over the
changes for the store, and the whole facts only when the store wants them after all
(loader/forked.py's Child, api.load)."""

from __future__ import annotations

import json
import os
import pickle
import signal

import pytest

from conftest import STORES, fresh_store
from harness import load_code
from kg import api
from kg.errors import QueryError
from kg.loader import facts_cache, forked
from kg.loader.extract import extract
from kg.model.changes import Digest
from kg.queries import embedded, open_store
from test_incremental import EDITS
from test_store_partial import REPO, applied, cache_home, contents, full_contents, project_copy

__all__ = ["applied", "cache_home"]     # fixtures the tests here use

pytestmark = pytest.mark.skipif(not os.sys.platform.startswith("linux"),
                                reason="extracts in-process")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def handed_over(monkeypatch) -> list[bool]:
    """Each time a child handed its second part over: whether it had exited by then (a spy:
    the real Child runs). Every project is extracted in a child."""
    monkeypatch.setattr(forked, "MIN_BYTES", 0)
    seen: list[bool] = []
    real = forked.Child.second

    def second(child):
        value = real(child)
        seen.append(not alive(child.pid))
        return value

    monkeypatch.setattr(forked.Child, "second", second)
    return seen


# -- the child -------------------------------------------------------------------------------

def test_the_first_part_comes_back_and_the_second_only_when_asked():
    with forked.Child(lambda progress: (os.getpid(), ["facts"] * 3), None) as child:
        assert child.first != os.getpid()
        assert alive(child.pid)                 # waiting with the second part
        assert child.second() == ["facts"] * 3
        assert not alive(child.pid)


def test_closing_a_child_that_was_not_asked_ends_it():
    child = forked.Child(lambda progress: ("summary", "facts"), None)
    assert child.first == "summary" and alive(child.pid)
    child.close()
    assert not alive(child.pid)


def test_a_child_let_go_exits_by_itself_and_one_closed_unasked_is_killed():
    child = forked.Child(lambda progress: ("summary", "facts"), None)
    child.let_go()
    child.close()
    assert os.WIFEXITED(child.status) and os.WEXITSTATUS(child.status) == 0
    child = forked.Child(lambda progress: ("summary", "facts"), None)
    child.close()                               # a load that failed: no waiting on it
    assert os.WIFSIGNALED(child.status) and os.WTERMSIG(child.status) == signal.SIGKILL


def test_a_second_part_that_cannot_be_pickled_is_an_error_here():
    class Local:        # a local class cannot be pickled
        pass

    with forked.Child(lambda progress: ("summary", Local()), None) as child:
        assert child.first == "summary"
        with pytest.raises(RuntimeError, match="Local"):
            child.second()


def test_a_child_killed_while_it_waits_is_an_error_when_asked():
    with forked.Child(lambda progress: ("summary", "facts"), None) as child:
        os.kill(child.pid, signal.SIGKILL)
        with pytest.raises(RuntimeError, match="killed by signal 9"):
            child.second()


def test_progress_comes_through_before_the_first_part():
    seen = []
    with forked.Child(lambda progress: (progress("extract", 1, 2), "facts"),
                      lambda *report: seen.append(report)) as child:
        assert child.first is None
    assert seen == [("extract", 1, 2)]


def test_facts_cross_packed_and_come_back_the_same(tmp_path):
    facts = load_code(tmp_path / "code", {"pkg/__init__.py": "", "pkg/a.py": "def f():\n"
                                          "    return g(1)\n\ndef g(x):\n    return x\n"}).facts
    assert facts.edges
    back = pickle.loads(pickle.dumps(forked.Packed(facts), protocol=pickle.HIGHEST_PROTOCOL))
    assert back.nodes == facts.nodes and back.edges == facts.edges


# -- the load --------------------------------------------------------------------------------

@pytest.mark.parametrize("store_kind", STORES)
def test_an_incremental_load_writes_the_changes_and_never_hands_the_facts_over(
        store_kind, tmp_path, cache_home, applied, handed_over):
    uri = fresh_store(store_kind, tmp_path)
    src = project_copy(tmp_path)
    api.load(src, store=uri, repo=REPO, jobs=1)
    assert handed_over == [True]                # a full load: the whole facts, child gone
    EDITS["body"](src)
    summary = api.load(src, store=uri, repo=REPO, jobs=1)
    assert summary.incremental and summary.reextracted >= 1
    assert len(applied) == 1 and applied[0] > 0  # the full load's child wrote its digest
    assert handed_over == [True]                # not again: the changes were enough
    assert summary.counts == api.info(uri)[0]["counts"]
    assert contents(uri) == full_contents(store_kind, tmp_path, src)


def test_a_store_that_refuses_the_changes_gets_the_whole_facts_from_the_ended_child(
        tmp_path, applied, handed_over):
    """The embedded store sees its generation was written since the load (a `kg query
    --write`) and writes the graph whole: the child hands the facts over and has exited
    before this process reads them, so the astroid heap and the write never meet."""
    uri = str(tmp_path / "store")
    src = project_copy(tmp_path)
    api.load(src, store=uri, repo=REPO, jobs=1)
    with open_store(uri) as store:
        store.query("MATCH (n:Module) SET n.loc = 999", write=True)
    EDITS["rename"](src)
    summary = api.load(src, store=uri, repo=REPO, jobs=1)
    assert summary.incremental and applied == []
    assert handed_over == [True, True]
    assert contents(uri) == full_contents("embedded", tmp_path, src)

    EDITS["body"](src)                          # and the digest it wrote serves the next one
    handed_over.clear()
    api.load(src, store=uri, repo=REPO, jobs=1)
    assert len(applied) == 1 and handed_over == []
    assert contents(uri) == full_contents("embedded", tmp_path / "again", src)


def test_the_digest_written_where_the_facts_are_is_named_by_the_commit_or_abandoned(tmp_path):
    facts = load_code(tmp_path / "code", {"pkg/__init__.py": "", "pkg/a.py": "def f():\n"
                                          "    return 1\n"}).facts
    digest = Digest.of(facts)
    kept = facts_cache.Writer(tmp_path / "kept")
    kept.add_digest(digest)
    kept.commit(facts_cache.Manifest(repo="r", source="s", load="l", modules={}, names={}))
    manifest = json.loads((tmp_path / "kept" / facts_cache.MANIFEST).read_text())
    written = tmp_path / "kept" / manifest["digest"]
    assert Digest.from_bytes(written.read_bytes()) == digest

    failed = facts_cache.Writer(tmp_path / "failed")
    failed.add_digest(digest)
    assert list((tmp_path / "failed").glob("digest-*.bin"))
    failed.abandon()                            # the store write failed
    assert not list((tmp_path / "failed").glob("digest-*.bin"))


def test_a_full_load_whose_digest_fails_leaves_the_new_graph_and_a_right_next_load(
        tmp_path, applied, handed_over, monkeypatch):
    """The full load's digest is worked out beside the store write, after the child handed
    the facts over (api._Digesting); if it fails, the store holds the new graph all the
    same, the facts cache names no digest, and the next load keeps the fragments but writes
    the whole graph (no changes to compute); the one after that, with the digest that load
    wrote, writes only the changes."""
    uri = str(tmp_path / "store")
    src = project_copy(tmp_path)

    def fails(writer, facts):
        raise MemoryError("no room for the digest")

    with monkeypatch.context() as patched:
        patched.setattr(api, "_digest_written", fails)
        api.load(src, store=uri, repo=REPO, jobs=1)
    assert handed_over == [True]
    assert contents(uri) == full_contents("embedded", tmp_path / "first", src)
    (folder,) = (tmp_path / "store" / "facts-cache").iterdir()
    manifest = json.loads((folder / facts_cache.MANIFEST).read_text())
    assert manifest["digest"] == "" and manifest["modules"]
    assert not list(folder.glob("digest-*.bin"))

    EDITS["body"](src)
    handed_over.clear()
    summary = api.load(src, store=uri, repo=REPO, jobs=1)
    assert summary.incremental and summary.reextracted >= 1     # the fragments were kept
    assert applied == [] and handed_over == [True]              # but the graph written whole
    assert contents(uri) == full_contents("embedded", tmp_path / "second", src)

    EDITS["rename"](src)
    api.load(src, store=uri, repo=REPO, jobs=1)
    assert len(applied) == 1                                    # its digest served this one
    assert contents(uri) == full_contents("embedded", tmp_path / "third", src)


def test_a_full_load_in_a_child_leaves_the_digest_of_the_graph_it_wrote(tmp_path,
                                                                      handed_over):
    """Worked out in the writing process beside the write, the digest is the one the child
    would have worked out from its own facts: the graph the store holds."""
    uri = str(tmp_path / "store")
    src = project_copy(tmp_path)
    api.load(src, store=uri, repo=REPO, jobs=1)
    assert handed_over == [True]
    (folder,) = (tmp_path / "store" / "facts-cache").iterdir()
    manifest = json.loads((folder / facts_cache.MANIFEST).read_text())
    assert manifest["digest"] and [p.name for p in folder.glob("digest-*.bin")] == \
        [manifest["digest"]]
    written = Digest.from_bytes((folder / manifest["digest"]).read_bytes())
    assert written == Digest.of(extract(src, REPO).facts)


def test_a_failed_store_write_leaves_no_digest_behind(tmp_path, handed_over, monkeypatch):
    """The write fails while the digest is worked out beside it: the digest, written or
    not by then, goes with the load's fragments, and the store keeps its graph."""
    uri = str(tmp_path / "store")
    src = project_copy(tmp_path)
    api.load(src, store=uri, repo=REPO, jobs=1)
    before = contents(uri)
    (folder,) = (tmp_path / "store" / "facts-cache").iterdir()
    kept = sorted(p.name for p in folder.rglob("*"))

    def broken(store, repo, facts, load, changes=None):
        assert facts.nodes["Module"]            # handed over: the digest is begun
        raise QueryError("disk full")

    EDITS["body"](src)
    monkeypatch.setattr(embedded.EmbeddedStore, "replace_repository", broken)
    with pytest.raises(QueryError, match="disk full"):
        api.load(src, store=uri, repo=REPO, jobs=1, full=True)
    assert contents(uri) == before
    assert sorted(p.name for p in folder.rglob("*")) == kept
