"""core.migration and ``segments compare``: who moved between the clusters of two snapshots.

Every count is checked against an independent outer join of the two files (pandas ``merge``) on
generated snapshots with known moves, new customers, gone customers and customers not scored.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.cli import main
from core.errors import DataError
from core.migration import DuplicateIdError, compare_tables, migration_table


def snapshots(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Two clustered snapshots as text frames, with what was planted in them.

    Ids have leading zeros and mixed case, so a join on numbers (or ignoring case) would be wrong.
    """
    rng = np.random.default_rng(seed)
    ids = [f"C{i:07d}" if i % 3 else f"c{i:07d}" for i in range(n)]
    old_cluster = rng.integers(1, 5, n).astype(str).astype(object)
    old_cluster[rng.random(n) < 0.02] = ""  # not scored in the old snapshot
    old = pd.DataFrame({"customer_id": ids, "Spend": rng.integers(0, 999, n).astype(str), "cluster": old_cluster})
    gone = rng.random(n) < 0.1
    kept = old[~gone].reset_index(drop=True)
    new_cluster = kept["cluster"].to_numpy(dtype=object).copy()
    move = rng.random(len(kept)) < 0.25
    new_cluster[move] = rng.integers(1, 6, int(move.sum())).astype(str)  # cluster 5 exists only in NEW
    new_cluster[rng.random(len(kept)) < 0.01] = ""
    fresh = n // 20
    newcomers = pd.DataFrame({"customer_id": [f"0{i}" for i in range(fresh)],  # '0' + number: text, not 0..
                              "Spend": ["1"] * fresh, "cluster": rng.integers(1, 5, fresh).astype(str)})
    new = pd.concat([kept.assign(cluster=new_cluster), newcomers], ignore_index=True)
    new = new.sample(frac=1, random_state=seed).reset_index(drop=True)  # another order than OLD
    return old, new, {"gone": int(gone.sum()), "new": fresh}


def independent_counts(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The expected from/to counts: a plain outer merge, written without core."""
    joined = old[["customer_id", "cluster"]].merge(new[["customer_id", "cluster"]], on="customer_id", how="outer",
                                                   suffixes=("_old", "_new"))
    joined = joined.fillna("")
    counts = joined.groupby(["cluster_old", "cluster_new"]).size().rename("customers").reset_index()
    return counts.rename(columns={"cluster_old": "from", "cluster_new": "to"})


def as_set(frame: pd.DataFrame) -> set[tuple[str, str, int]]:
    return {(str(f), str(t), int(c)) for f, t, c in frame[["from", "to", "customers"]].itertuples(index=False)}


@pytest.mark.parametrize("n", [200, 20_000])
def test_counts_match_an_independent_join(n):
    old, new, planted = snapshots(n, seed=n)
    moves = compare_tables(old, new, "customer_id")
    expected = independent_counts(old, new)
    assert as_set(moves.counts()) == as_set(expected)
    assert moves.customers == n + planted["new"] == moves.counts()["customers"].sum()
    # the planted new and gone customers are where they belong
    counts = moves.counts()
    gone_unscored = (new["cluster"] == "").sum()
    assert counts.loc[counts["to"] == "", "customers"].sum() == planted["gone"] + gone_unscored
    assert counts.loc[(counts["from"] == "") & (counts["to"] != ""), "customers"].sum() >= planted["new"] - \
        (new["customer_id"].str.startswith("0") & (new["cluster"] == "")).sum()
    matrix = moves.matrix()
    assert list(matrix.columns)[-1] == "" and list(matrix.index)[-1] == ""  # new / gone last
    assert "5" in matrix.columns and "5" not in matrix.index
    assert int(matrix.to_numpy().sum()) == moves.customers


def test_movers_are_exactly_the_joined_rows():
    old, new, _ = snapshots(2_000, seed=7)
    moves = compare_tables(old, new, "customer_id")
    joined = old.merge(new, on="customer_id", suffixes=("_old", "_new"))
    expected = set(joined.loc[(joined["cluster_old"] == "1") & (joined["cluster_new"] == "3"), "customer_id"])
    assert set(moves.movers("1", "3")) == expected and expected
    # from "": new customers and customers the old snapshot did not score
    unscored_before = set(old["customer_id"]) - set(old.loc[old["cluster"] != "", "customer_id"])
    newcomers = (set(new["customer_id"]) - set(old["customer_id"])) | unscored_before
    in_two = set(new.loc[new["cluster"] == "2", "customer_id"])
    assert set(moves.movers("", "2")) == newcomers & in_two


def test_ids_are_text_exactly_as_written():
    old = pd.DataFrame({"id": ["007", "A1", " x"], "cluster": ["1", "1", "2"]})
    new = pd.DataFrame({"id": ["7", "a1", " x"], "cluster": ["1", "1", "1"]})
    counts = as_set(compare_tables(old, new, "id").counts())
    assert counts == {("1", "", 2), ("", "1", 2), ("2", "1", 1)}


def test_repeated_ids_are_refused_by_name():
    old = pd.DataFrame({"id": ["A", "B", "B", "C", "A", "B"], "cluster": ["1"] * 6})
    new = pd.DataFrame({"id": ["A"], "cluster": ["1"]})
    with pytest.raises(DuplicateIdError) as caught:
        compare_tables(old, new, "id", old_label="march.csv")
    message = str(caught.value)
    assert "march.csv" in message and "'B' (3 times)" in message and "'A' (2 times)" in message
    assert "'C'" not in message


def test_empty_ids_and_missing_columns_are_refused():
    with pytest.raises(DataError, match="no id"):
        migration_table(pd.Series(["A", ""]), pd.Series(["1", "2"]), pd.Series(["A"]), pd.Series(["1"]))
    with pytest.raises(DataError, match="no column 'cust'.*'id', 'cluster'"):
        compare_tables(pd.DataFrame({"id": ["A"], "cluster": ["1"]}), pd.DataFrame({"id": ["A"], "cluster": ["1"]}),
                       "cust")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_cli_compare_writes_the_counts_and_prints_the_matrix(tmp_path: Path):
    old, new, planted = snapshots(3_000, seed=3)
    old.to_csv(tmp_path / "old.csv", index=False)
    new.to_csv(tmp_path / "new.csv", index=False)
    code, out, err = run("compare", str(tmp_path / "old.csv"), str(tmp_path / "new.csv"), "--id", "customer_id",
                         "--out", str(tmp_path / "migration.csv"))
    assert code == 0, err
    written = pd.read_csv(tmp_path / "migration.csv", dtype=str, keep_default_na=False)
    assert list(written.columns) == ["from", "to", "customers"]
    # pandas wrote the ids and clusters; read back as text they must still match the join
    expected = independent_counts(pd.read_csv(tmp_path / "old.csv", dtype=str, keep_default_na=False),
                                  pd.read_csv(tmp_path / "new.csv", dtype=str, keep_default_na=False))
    assert as_set(written.astype({"customers": int})) == as_set(expected)
    assert "(new)" in out and "(gone)" in out and "from 1" in out and "to 5" in out
    total_line = next(line for line in out.splitlines() if line.startswith("total"))
    assert total_line.split()[-1] == f"{3_000 + planted['new']:,}"
    assert "wrote" in out


def test_cli_compare_refuses_repeats_and_unknown_columns(tmp_path: Path):
    (tmp_path / "old.csv").write_text("id,cluster\nA,1\nA,2\n")
    (tmp_path / "new.csv").write_text("id,cluster\nA,1\n")
    code, out, err = run("compare", str(tmp_path / "old.csv"), str(tmp_path / "new.csv"), "--id", "id",
                         "--out", str(tmp_path / "m.csv"))
    assert code == 2 and "error:" in err and "'A' (2 times)" in err and "old.csv" in err
    assert not (tmp_path / "m.csv").exists()
    code, _, err = run("compare", str(tmp_path / "old.csv"), str(tmp_path / "new.csv"), "--id", "customer")
    assert code == 2 and "no column 'customer'" in err
    code, _, err = run("compare", str(tmp_path / "new.csv"), str(tmp_path / "new.csv"), "--id", "id",
                       "--out", str(tmp_path / "new.csv"))
    assert code == 2 and (tmp_path / "new.csv").read_text() == "id,cluster\nA,1\n"


def test_cli_compare_recognises_the_customer_id_column(tmp_path: Path):
    """Found from outside: `compare` made the user name the id column that the data check already knows (the
    dashboard's "who moved" picks it); its first line said "3,200 customers matched" of the customers in
    either file, of whom 2,686 were in both."""
    old, new, planted = snapshots(2_000, seed=4)
    old.to_csv(tmp_path / "old.csv", index=False)
    new.to_csv(tmp_path / "new.csv", index=False)
    code, out, err = run("compare", str(tmp_path / "old.csv"), str(tmp_path / "new.csv"))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "customer id: 'customer_id' (recognised; --id names another)"
    assert lines[1].startswith(f"{2_000 + planted['new']:,} customers in either file, matched on 'customer_id': ")
    _, named, _ = run("compare", str(tmp_path / "old.csv"), str(tmp_path / "new.csv"), "--id", "customer_id")
    assert named.splitlines()[1:] == lines[2:] and named.splitlines()[0] == lines[1]


@pytest.mark.parametrize(("header", "row", "said"), [
    ("region,amount,cluster", "north {},{}.5,{}", "no column both files have looks like an identifier (columns in "
                                                 "both: 'region', 'amount')"),
    ("customer_id,account_id,cluster", "x{},y{},{}", "several columns both files have look like an identifier "
                                                     "(those: 'customer_id', 'account_id')"),
])
def test_cli_compare_asks_for_the_id_when_it_cannot_tell(tmp_path: Path, header: str, row: str, said: str):
    rows = "\n".join(row.format(i % 4, i % 7, i % 3 + 1) for i in range(50))
    (tmp_path / "old.csv").write_text(f"{header}\n{rows}\n")
    code, out, err = run("compare", str(tmp_path / "old.csv"), str(tmp_path / "old.csv"))
    assert code == 2 and f"error: --id: name the customer id column; {said}" in err and out == ""
