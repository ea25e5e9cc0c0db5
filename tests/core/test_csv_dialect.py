"""Outputs in the file's own dialect, found from outside: a German export (semicolons, ``321,97 €``, decimal
commas) came back from ``segments fit`` comma-separated with decimal points, which German Excel opens as a
single column. The clustered file and the summary are now written with the upload's separator, and the numbers
the product adds (distances, margins, means) with its decimal mark; every cell of the file itself is unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core import read_table
from core.export import COMMAS, CsvDialect


def german_export(rows: int = 300, seed: int = 4) -> str:
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, rows)
    spend = np.exp(3 + 1.2 * group + rng.normal(0, 0.3, rows))
    lines = ["Kundennummer;Ort;Umsatz;Bestellungen"]
    for i in range(rows):
        amount = f"{spend[i]:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        lines.append(f"{i:06d};Köln; {amount} €;{int(2 + 5 * group[i] + rng.integers(0, 3))}")
    return "\r\n".join(lines) + "\r\n"


def test_segments_fit_writes_a_semicolon_file_back_in_its_own_dialect(cli, write, tmp_path):
    path = write("kunden.csv", german_export().encode("cp1252"))
    out, summary = tmp_path / "out.csv", tmp_path / "summary.csv"
    status, _, err = cli("fit", path, "--k", "3", "--out", out, "--summary", summary, "--stability-runs", "2")
    assert (status, err) == (0, ""), err
    written = read_table(out)
    assert (written.separator, written.decimal) == (";", ",")
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("Kundennummer;Ort;Umsatz;Bestellungen;cluster;segment;distance;")
    original = read_table(path).frame
    pd.testing.assert_frame_equal(written.frame[original.columns], original)  # every cell as it came
    distance = written.frame["distance"]
    assert distance.str.contains(",").all() and not distance.str.contains(r"\.").any()  # 0,8801
    summary_read = read_table(summary)
    assert (summary_read.separator, summary_read.decimal) == (";", ",")
    assert summary_read.frame["share"].str.contains(",").any()


def test_a_comma_file_and_a_workbook_are_written_with_commas_and_points():
    assert read_table(b"a,b\n1.5,2\n", "x.csv").dialect == COMMAS
    assert read_table(b"a;b\n1.5;2\n", "x.csv").dialect == CsvDialect(";", ".")
    assert read_table(b"a;b\n1,5;2\n", "x.csv").dialect == CsvDialect(";", ",")
    assert CsvDialect.of(None, ".") == COMMAS and CsvDialect.of(",", ",") == COMMAS


def test_segments_rfm_and_compare_write_a_german_export_in_its_own_dialect(cli, write, tmp_path):
    """Left in session 11 and found again from outside: `segments rfm` of a German order export (semicolons,
    decimal commas) wrote its customer table, and `segments compare` its counts, comma-separated with points."""
    lines = ["Kunde;Bestelldatum;Betrag"]
    for i in range(120):
        lines.append(f"K{i % 40:03d};{1 + i % 28:02d}.0{1 + i % 9}.2024;{10 + i},{i % 100:02d}")
    orders = write("bestellungen.csv", ("\r\n".join(lines) + "\r\n").encode("cp1252"))
    customers = tmp_path / "kunden.csv"
    status, _, err = cli("rfm", orders, "--out", customers)
    assert (status, err) == (0, ""), err
    table = read_table(customers)
    assert (table.separator, table.decimal) == (";", ",")
    monetary = table.frame["monetary"]
    assert monetary.str.contains(",").any() and not monetary.str.contains(r"\.").any()
    expected = {f"K{c:03d}": sum(10 + i + (i % 100) / 100 for i in range(120) if i % 40 == c) for c in range(40)}
    read = dict(zip(table.frame["customer_id"], monetary.str.replace(",", ".").astype(float)))
    assert read == {k: round(v, 2) for k, v in expected.items()}

    out_a, out_b, moves = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "moves.csv"
    for out in (out_a, out_b):
        status, _, err = cli("fit", customers, "--k", "2", "--out", out, "--stability-runs", "0")
        assert status == 0, err
    status, _, err = cli("compare", out_a, out_b, "--id", "customer_id", "--out", moves)
    assert status == 0, err
    assert moves.read_text(encoding="utf-8").splitlines()[0] == "from;from segment;to;to segment;customers"
