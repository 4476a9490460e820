"""The Kemendagri region tree: nation, 38 provinces, 514 kabupaten/kota, with village counts.

Codes follow Kepmendagri 300.2.2-2430/2025 ("61" Kalimantan Barat, "61.01" Kabupaten Sambas);
the nation is "00". Lookups tolerate the usual spellings of names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.errors import InputError
from simulator.vocabulary import NATION_CODE

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
REGIONS_FILE = DATA_DIR / "regions.csv"

_PREFIXES = (
    "kabupaten administrasi ",
    "kota administrasi ",
    "kabupaten ",
    "kab. ",
    "kab ",
    "kota ",
    "provinsi ",
    "prov. ",
    "prov ",
)


def normalise_name(name: str) -> str:
    """Lower-case, single-spaced name with the administrative prefix removed."""
    text = re.sub(r"\s+", " ", str(name).strip().lower())
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix) :].strip()
    return text


def _is_city(name: str) -> bool:
    return str(name).strip().lower().startswith("kota")


@dataclass(frozen=True, eq=False)
class RegionTree:
    """Regions with codes, names, levels, parents and village counts.

    ``table`` has columns ``code, name, level, parent_code, villages, desa, kelurahan, kecamatan,
    population`` with the nation first, then provinces, then kabupaten/kota, each in code order.
    """

    table: pd.DataFrame

    # ---- lookups -------------------------------------------------------------------------
    @property
    def codes(self) -> list[str]:
        return self.table["code"].tolist()

    def __contains__(self, code: object) -> bool:
        return code in self._index

    @property
    def _index(self) -> dict[str, int]:
        return _index_of(self)

    def row(self, code: str) -> pd.Series:
        if code not in self._index:
            raise InputError(
                f"unknown region code {code!r}: expected a Kemendagri code such as '61' or '61.01'"
            )
        return self.table.iloc[self._index[code]]

    def _field(self, code: str, column: str):
        if code not in self._index:
            self.row(code)  # raises the InputError naming the code
        return _columns_of(self)[column][self._index[code]]

    def name(self, code: str) -> str:
        return str(self._field(code, "name"))

    def level(self, code: str) -> str:
        return str(self._field(code, "level"))

    def parent(self, code: str) -> str | None:
        parent = self._field(code, "parent_code")
        return None if parent == "" or pd.isna(parent) else str(parent)

    def lineage(self, code: str) -> list[str]:
        """``code`` and its ancestors up to the nation, nearest first: ["61.01", "61", "00"]."""
        out: list[str] = []
        node: str | None = code
        while node is not None:
            out.append(node)
            node = self.parent(node)
        return out

    def subtree(self, provinces) -> RegionTree:
        """The ``provinces`` and every kabupaten/kota under them as a RegionTree of their own (rows
        in this tree's order; the provinces' parent left out)."""
        table = self.table
        keep = table["code"].isin(provinces) | (
            (table["level"] == "kabkota") & table["parent_code"].isin(provinces)
        )
        return RegionTree(table=table[keep].reset_index(drop=True))

    def children(self, code: str) -> list[str]:
        self._field(code, "code")
        return list(_children_of(self).get(code, ()))

    def descendants(self, code: str) -> list[str]:
        out: list[str] = []
        frontier = self.children(code)
        while frontier:
            out.extend(frontier)
            frontier = [c for p in frontier for c in self.children(p)]
        return out

    def leaves(self, code: str = NATION_CODE) -> list[str]:
        """Kabupaten/kota codes at or under ``code``."""
        if self.level(code) == "kabkota":
            return [code]
        return [c for c in self.descendants(code) if self.level(c) == "kabkota"]

    def of_level(self, level: str) -> list[str]:
        return self.table.loc[self.table["level"] == level, "code"].tolist()

    def villages(self, code: str) -> int:
        """Villages (desa + kelurahan) of ``code``."""
        return int(self.row(code)["villages"])

    def desa(self, code: str) -> float:
        """Desa of ``code`` [villages]: the village-officials lever acts on desa only (a kelurahan is
        an urban administrative unit with civil-servant staff: no perangkat desa, no APBDes). A tree
        without a ``desa`` column counts every village."""
        return _desa_of(self)[code]

    def resolve(self, text: str) -> str:
        """Region code for a code or a name in the usual spellings.

        "61", "61.01", "Kab. Sambas", "Sambas", "KABUPATEN SAMBAS", "Kota Pontianak" all resolve.
        A bare name shared by a kabupaten and a kota (e.g. "Bekasi") resolves to the kabupaten;
        write "Kota Bekasi" for the city. Raises InputError when nothing or more than one matches.
        """
        raw = str(text).strip()
        if raw in self._index:
            return raw
        if re.fullmatch(r"\d{1,2}", raw) and raw.zfill(2) in self._index:
            return raw.zfill(2)
        key = normalise_name(raw)
        matches = _by_name(self).get(key, [])
        if raw.lower().startswith("kota") and not raw.lower().startswith("kota administrasi jakarta"):
            cities = [c for c in matches if _is_city(self.name(c))]
            matches = cities or matches
        elif len(matches) > 1:
            kab = [c for c in matches if self.level(c) != "kabkota" or not _is_city(self.name(c))]
            provinces = [c for c in kab if self.level(c) == "provinsi"]
            matches = provinces or kab or matches
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise InputError(
                f"unknown region {raw!r}: expected a Kemendagri code or name (see `python -m "
                "simulator regions`)"
            )
        names = ", ".join(f"{c} {self.name(c)}" for c in matches)
        raise InputError(f"region {raw!r} is ambiguous: it matches {names}; use the code")

    # ---- aggregation ---------------------------------------------------------------------
    def aggregation_matrix(self, leaves: list[str] | None = None) -> tuple[list[str], np.ndarray]:
        """Summing matrix S with S[i, j] = 1 when leaf j lies at or under region i.

        Returns (all region codes in table order, S of shape (regions, leaves)).
        """
        codes, all_leaves, s = summing_matrix(self)  # one home, cached per tree
        if leaves is None:
            return list(codes), s.copy()
        at = {c: j for j, c in enumerate(all_leaves)}
        return list(codes), s[:, [at[c] for c in leaves]]

    def aggregate(
        self, frame: pd.DataFrame, value_cols: list[str], code_col: str = "region_code"
    ) -> pd.DataFrame:
        """Sum a kabupaten/kota frame up to provinces and the nation.

        Every column other than ``code_col`` and ``value_cols`` is a grouping key (e.g. ``ds``,
        ``segment``). Returns a new frame holding the kabupaten/kota rows plus one row per
        province and for the nation per key.
        """
        unknown = sorted(set(frame[code_col]) - set(self.of_level("kabkota")))
        if unknown:
            raise InputError(f"aggregate expects kabupaten/kota codes; got {unknown[:3]}")
        keys = [c for c in frame.columns if c not in value_cols and c != code_col]
        prov = frame.assign(**{code_col: frame[code_col].str[:2]})
        prov = (
            prov.groupby(keys + [code_col], as_index=False)[value_cols].sum()
            if keys
            else prov.groupby(code_col, as_index=False)[value_cols].sum()
        )
        nat = frame.assign(**{code_col: NATION_CODE})
        nat = (
            nat.groupby(keys + [code_col], as_index=False)[value_cols].sum()
            if keys
            else nat.groupby(code_col, as_index=False)[value_cols].sum()
        )
        out = pd.concat([nat, prov, frame[[*keys, code_col, *value_cols]]], ignore_index=True)
        return out[frame.columns.tolist()] if set(out.columns) == set(frame.columns) else out


@lru_cache(maxsize=8)
def summing_matrix(tree: RegionTree) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    """Cached (all codes, kabupaten/kota leaves, S) for ``tree``; S[i, j] = 1 when leaf j is under i.

    The returned matrix is read-only.
    """
    # built from the parent column without per-row pandas lookups
    table = tree.table
    codes = table["code"].tolist()
    parent = dict(zip(codes, table["parent_code"].tolist(), strict=True))
    leaves = table.loc[table["level"] == "kabkota", "code"].tolist()
    pos = {c: i for i, c in enumerate(codes)}
    s = np.zeros((len(codes), len(leaves)), dtype=np.float64)
    for j, leaf in enumerate(leaves):
        node = leaf
        while node:
            s[pos[node], j] = 1.0
            node = parent[node] if parent[node] in pos else ""
    s.setflags(write=False)
    return tuple(codes), tuple(leaves), s


@lru_cache(maxsize=8)
def _desa_of(tree: RegionTree) -> dict[str, float]:
    column = "desa" if "desa" in tree.table.columns else "villages"
    return dict(zip(tree.table["code"].tolist(), tree.table[column].astype(np.float64).tolist(), strict=True))


@lru_cache(maxsize=8)
def _index_of(tree: RegionTree) -> dict[str, int]:
    return {c: i for i, c in enumerate(tree.table["code"])}


@lru_cache(maxsize=8)
def _columns_of(tree: RegionTree) -> dict[str, list]:
    """Name, level, parent and code per row as plain lists: lookups without a pandas row each."""
    return {col: tree.table[col].tolist() for col in ("code", "name", "level", "parent_code")}


@lru_cache(maxsize=8)
def _children_of(tree: RegionTree) -> dict[str, tuple[str, ...]]:
    """Child codes per parent code, in table order."""
    out: dict[str, list[str]] = {}
    for code, parent in zip(tree.table["code"].tolist(), tree.table["parent_code"].tolist(), strict=True):
        if isinstance(parent, str) and parent:
            out.setdefault(parent, []).append(code)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=8)
def _by_name(tree: RegionTree) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for code, name in zip(tree.table["code"], tree.table["name"], strict=True):
        out.setdefault(normalise_name(name), []).append(code)
    out.setdefault("kalbar", []).append("61")
    out.setdefault("dki jakarta", []).append("31")
    out.setdefault("di yogyakarta", []).append("34")
    out.setdefault("nasional", []).append(NATION_CODE)
    return out


@lru_cache(maxsize=1)
def load_regions(path: str | None = None) -> RegionTree:
    """Load the bundled region tree (or ``path``), validated: unique codes, known parents."""
    file = Path(path) if path else REGIONS_FILE
    table = pd.read_csv(file, dtype={"code": str, "parent_code": str}, keep_default_na=False)
    if table["code"].duplicated().any():
        dup = table.loc[table["code"].duplicated(), "code"].iloc[0]
        raise InputError(f"{file.name}: duplicate region code {dup!r}")
    known = set(table["code"])
    bad = table.loc[(table["parent_code"] != "") & ~table["parent_code"].isin(known)]
    if len(bad):
        raise InputError(
            f"{file.name}: row {bad.index[0] + 2}, column parent_code: unknown parent "
            f"{bad['parent_code'].iloc[0]!r}"
        )
    for col in ("villages", "desa", "kelurahan", "kecamatan", "population"):
        table[col] = table[col].astype(np.int64)
    return RegionTree(table=table)
