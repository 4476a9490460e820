"""What the input tables hold: kinds, column names and their aliases, and the size budgets every input is
checked against before the step whose cost it would blow up.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from simulator.vocabulary import ACTIVE, COVERAGE, DS, EMPLOYED, PERIOD, REGION_CODE, SEGMENT, YEAR

log = logging.getLogger(__name__)


KINDS = ("history", "workforce", "targets")


EXTENSIONS = (".csv", ".xlsx")


# Internal bookkeeping columns: where each row came from, for messages naming file and row.
_FILE = "_file"


_ROW = "_row"


_REGION_CODE_ALIASES = (
    "region_code",
    "kode_wilayah",
    "kode",
    "kode_kemendagri",
    "kode_daerah",
    "kode_wil",
    "code",
)


_REGION_NAME_ALIASES = (
    "region",
    "wilayah",
    "daerah",
    "nama_wilayah",
    "nama_daerah",
    "kabupaten_kota",
    "kab_kota",
    "kabkota",
)


_SOURCE_ALIASES = ("source", "sumber", "sumber_data")


@dataclass(frozen=True)
class _Schema:
    """Columns of one file kind: required and optional canonical names with their aliases.

    ``aliases`` maps a canonical name to tiers of accepted headers; when headers of two tiers are
    both present the first tier wins (a code column beats a name column) and the other is kept as
    an extra column.
    """

    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    aliases: dict[str, tuple[tuple[str, ...], ...]]
    key: tuple[str, ...]

    def tier_of(self, header: str) -> tuple[str, int] | None:
        for canonical, tiers in self.aliases.items():
            for rank, names in enumerate(tiers):
                if header in names:
                    return canonical, rank
        return None


SCHEMAS: dict[str, _Schema] = {
    "history": _Schema(
        kind="history",
        required=(REGION_CODE, SEGMENT, DS, ACTIVE),
        optional=("registered", "source"),
        aliases={
            REGION_CODE: (_REGION_CODE_ALIASES, _REGION_NAME_ALIASES),
            SEGMENT: ((SEGMENT, "segmen", "jenis_peserta", "kelompok_peserta", "kepesertaan"),),
            DS: ((DS, "bulan", "tanggal", "date", "month", "periode", "period"),),
            ACTIVE: ((ACTIVE, "peserta_aktif", "aktif", "jumlah_aktif", "tk_aktif", "jumlah_peserta_aktif"),),
            "registered": (("registered", "peserta_terdaftar", "terdaftar", "jumlah_terdaftar"),),
            "source": (_SOURCE_ALIASES,),
        },
        key=(REGION_CODE, SEGMENT, DS),
    ),
    "workforce": _Schema(
        kind="workforce",
        required=(REGION_CODE, PERIOD, EMPLOYED),
        optional=("estimate", "source"),
        aliases={
            REGION_CODE: (_REGION_CODE_ALIASES, _REGION_NAME_ALIASES),
            PERIOD: ((PERIOD, "periode", "bulan", "tanggal", "date", "month", "ds"),),
            EMPLOYED: ((EMPLOYED, "bekerja", "penduduk_bekerja", "jumlah_bekerja", "pekerja"),),
            "estimate": (("estimate", "estimasi", "perkiraan"),),
            "source": (_SOURCE_ALIASES,),
        },
        key=(REGION_CODE, PERIOD),
    ),
    "targets": _Schema(
        kind="targets",
        required=(REGION_CODE, YEAR, COVERAGE),
        optional=("definition", "source", "scheme"),
        aliases={
            REGION_CODE: (_REGION_CODE_ALIASES, _REGION_NAME_ALIASES),
            YEAR: ((YEAR, "tahun"),),
            COVERAGE: ((COVERAGE, "target", "cakupan", "target_cakupan", "target_ucj", "ucj"),),
            "definition": (("definition", "definisi", "penyebut"),),
            "source": (_SOURCE_ALIASES,),
            "scheme": (("scheme", "skema", "dokumen", "dasar"),),
        },
        key=(REGION_CODE, YEAR, "scheme"),
    ),
}


_SEGMENT_NAMES = {
    "PU": "PU",
    "PPU": "PU",
    "PENERIMA UPAH": "PU",
    "BPU": "BPU",
    "BUKAN PENERIMA UPAH": "BPU",
    "JAKON": "JAKON",
    "JASA KONSTRUKSI": "JAKON",
    "KONSTRUKSI": "JAKON",
    "PMI": "PMI",
    "PEKERJA MIGRAN INDONESIA": "PMI",
    "PEKERJA MIGRAN": "PMI",
}


_MONTH_NAMES = {
    "jan": 1, "januari": 1, "january": 1,
    "feb": 2, "februari": 2, "february": 2, "pebruari": 2,
    "mar": 3, "maret": 3, "march": 3,
    "apr": 4, "april": 4,
    "mei": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7,
    "agu": 8, "agt": 8, "ags": 8, "agustus": 8, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oct": 10, "oktober": 10, "october": 10,
    "nov": 11, "nopember": 11, "november": 11,
    "des": 12, "dec": 12, "desember": 12, "december": 12,
}  # fmt: skip


#: Largest file read [bytes] (an .xlsx counts its packed size). The bundled history is 7 MB.
MAX_FILE_BYTES = 100_000_000


#: Largest total an .xlsx may unpack to [bytes] (a zip bomb packs gigabytes into kilobytes).
MAX_XLSX_UNPACKED = 200_000_000


#: Largest shared-strings part of an .xlsx [bytes]: openpyxl holds every string of it in memory.
MAX_XLSX_STRINGS = 30_000_000


#: Most columns in a file: the widest schema has 6; a row with values beyond is refused.
MAX_COLUMNS = 64


#: Most rows in a file: 514 kabupaten/kota x 5 segments x 50 years of months is 1,5 million.
MAX_ROWS = 2_000_000


#: Longest time spent reading one .xlsx [seconds] before it is refused.
MAX_READ_SECONDS = 60.0


#: Largest count of persons in one cell: more than Indonesia's population.
MAX_COUNT = 1_000_000_000


#: Active participants may exceed a region's employed residents, because BPJS Ketenagakerjaan counts
#: workers where their employer is registered while BPS Sakernas counts residents: commuters into
#: a business centre count there (DKI Jakarta, Feb 2025: 8,02 juta active against about 5,2 juta
#: employed residents, 1,5 times; a central kabupaten/kota of a metropolitan area can reach a few
#: times its residents). Up to this factor the data are accepted with a warning naming the regions;
#: beyond it (e.g. 20 times) the figures cannot describe one region and are refused.
ACTIVE_EMPLOYED_LIMIT = 5.0


_FLAGS = {"0": 0, "1": 1, "false": 0, "true": 1, "tidak": 0, "ya": 1, "no": 0, "yes": 1}


# Numbers as written in each style: Indonesian "1.234.567,5", English "1,234,567.5".
_NUMBER_RE = {
    "id": re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"),
    "en": re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"),
}


_EXAMPLES = {
    "history": ("61.01", "BPU", "2025-01", "1234"),
    "workforce": ("61.01", "2024-08", "250000"),
    "targets": ("61", "2025", "0.5956"),
}
