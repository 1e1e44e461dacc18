"""``journal copy`` onto a team journal that already holds a batch under the same ID, made from the
same file: a batch is the same only if it is the same run (made at the same moment, by the same
person), not merely the same rows of the same spreadsheet."""

from __future__ import annotations

from pathlib import Path

from adobe_orders import apply_updates, history
from adobe_orders.journal import copy_journal
from tests.team_journal.helpers import updates


def test_the_same_file_run_twice_under_one_id_is_a_clash_not_a_copy(pg_url, sandbox, tmp_path: Path) -> None:
    """Alice ran po.csv as batch "june" in the team journal; Bob had run the same po.csv as "june" on
    his laptop earlier. Copying Bob's journal must name "june" as left out, not say it is already
    there: Bob's run (his previous values, his outcomes, when) would vanish from the audit unnoticed."""
    client = sandbox.client()
    frame = updates(sandbox.orders[:2], "JUNE")
    laptop = apply_updates(frame, client, journal=str(tmp_path / "bob.sqlite"), progress=False, batch_id="june")
    assert list(laptop["status"]) == ["updated", "updated"]
    team = apply_updates(frame, client, journal=pg_url, progress=False, batch_id="june")

    report = copy_journal(to=pg_url, source=tmp_path / "bob.sqlite")
    assert report.conflicts == ["june"] and report.already_there == [], report
    assert "left out" in report.summary()
    kept = history(pg_url)
    assert list(kept["status"]) == list(team["status"])  # Alice's run, as it was
    assert kept.loc[0, "created_at"] != history(str(tmp_path / "bob.sqlite")).loc[0, "created_at"]


def test_copying_one_journal_twice_is_still_harmless(pg_url, sandbox, tmp_path: Path) -> None:
    client = sandbox.client()
    apply_updates(updates(sandbox.orders[:2], "TWICE"), client, journal=str(tmp_path / "a.sqlite"), progress=False,
                  batch_id="twice")
    assert copy_journal(to=pg_url, source=tmp_path / "a.sqlite").copied == ["twice"]
    again = copy_journal(to=pg_url, source=tmp_path / "a.sqlite")
    assert again.copied == [] and again.already_there == ["twice"] and again.conflicts == []


def test_a_retry_whose_parent_clashed_is_left_out_too(pg_url, sandbox, tmp_path: Path) -> None:
    """Bob's "june" clashes with Alice's and is left out; his retry of it must not be copied either:
    in the team journal it would become a child of Alice's "june" (its rows naming her rows as theirs),
    so undoing her batch would follow Bob's lineage."""
    from adobe_orders.batch import retry_failed

    client = sandbox.client()
    laptop = str(tmp_path / "bob.sqlite")
    sandbox.faults.queue("error_500", 40)  # Bob's first row fails (every retry), so there is a retry batch
    bobs = apply_updates(updates(sandbox.orders[2:3], "BOB"), client, journal=laptop, progress=False, batch_id="june")
    assert list(bobs["status"]) == ["failed"]
    sandbox.faults._queue.clear()
    assert list(retry_failed(bobs, client, journal=laptop, progress=False, batch_id="june-retry")["status"]) == \
        ["updated"]
    apply_updates(updates(sandbox.orders[:2], "ALICE"), client, journal=pg_url, progress=False, batch_id="june")

    report = copy_journal(to=pg_url, source=laptop)
    assert report.copied == [] and report.conflicts == ["june", "june-retry"], report
    team = history(pg_url)
    assert set(team["batch_id"]) == {"june"} and list(team["target_value"]) == ["ALICE-0", "ALICE-1"]
