"""Indonesian and English number formats, and reading numbers back as users type them."""

import pytest

from simulator import fmt


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: fmt.rupiah(5_316_796_800), "Rp5.316.796.800"),
        (lambda: fmt.rupiah(5_316_796_800, short=True), "Rp5,32 M"),
        (lambda: fmt.rupiah(5_060_579_420_000, short=True), "Rp5,06 T"),
        (lambda: fmt.rupiah(5_316_796_800, short=True, lang="en"), "Rp5.32 bn"),
        (lambda: fmt.percent(0.4534), "45,34 %"),
        (lambda: fmt.percent(0.4534, lang="en"), "45.34%"),
        (lambda: fmt.number(26373), "26.373"),
        (lambda: fmt.number(1234.5, 1), "1.234,5"),
        (lambda: fmt.number(float("nan")), "–"),
        (lambda: fmt.number(-0.0), "0"),  # allocate's "needs" of a region already there printed "-0"
        (lambda: fmt.number(-0.4), "0"),
        (lambda: fmt.number(-0.004, 2, lang="en"), "0.00"),
        (lambda: fmt.percent(-0.00001), "0,00 %"),
        (lambda: fmt.number(-0.6), "-1"),
        (lambda: fmt.number(-1234.5, 1), "-1.234,5"),
    ],
)
def test_formats(call, expected):
    assert call() == expected


# (typed text, language, kind, value read): what a user means
READ = [
    ("10.000.000.000", "id", "rupiah", 10_000_000_000),
    ("Rp10.000.000.000", "id", "rupiah", 10_000_000_000),
    ("Rp 10.000.000.000", "id", "rupiah", 10_000_000_000),
    ("Rp10 M", "id", "rupiah", 10_000_000_000),
    ("rp10m", "id", "rupiah", 10_000_000_000),
    ("Rp2,5 M", "id", "rupiah", 2_500_000_000),
    ("Rp1,5 T", "id", "rupiah", 1_500_000_000_000),
    ("750 jt", "id", "rupiah", 750_000_000),
    ("10 miliar", "id", "rupiah", 10_000_000_000),
    ("10000000000", "id", "rupiah", 10_000_000_000),
    ("10,000,000,000", "en", "rupiah", 10_000_000_000),
    ("Rp10 bn", "en", "rupiah", 10_000_000_000),
    ("Rp2.5 billion", "en", "rupiah", 2_500_000_000),
    ("750 mn", "en", "rupiah", 750_000_000),
    ("59,56", "id", "percent", 0.5956),
    ("59,56 %", "id", "percent", 0.5956),
    ("59,56%", "id", "percent", 0.5956),
    ("60", "id", "percent", 0.60),
    ("0,5", "id", "percent", 0.005),
    ("59.56", "en", "percent", 0.5956),
    ("59.56%", "en", "percent", 0.5956),
    ("26.373", "id", "count", 26_373),
    ("26,373", "en", "count", 26_373),
    ("1.234,5", "id", "number", 1234.5),
    ("1,234.5", "en", "number", 1234.5),
    ("\u00a010.000 ", "id", "number", 10_000),
]


@pytest.mark.parametrize("text, lang, kind, expected", READ)
def test_numbers_are_read_as_meant(text, lang, kind, expected):
    assert fmt.parse_number(text, lang, kind=kind) == pytest.approx(expected, rel=1e-12)


# (typed text, language, kind, bounds, start of the refusal): never a guess, always the user's language
REFUSE = [
    ("", "id", "rupiah", {}, "Isi sebuah angka."),
    ("   ", "en", "rupiah", {}, "Enter a number."),
    (
        "1.5",
        "id",
        "percent",
        {},
        "«1.5» bisa dibaca dua cara; di sini titik memisahkan ribuan dan koma menandai desimal (tulis 1,5)",
    ),
    ("59.56", "id", "percent", {}, "«59.56» bisa dibaca dua cara"),
    (
        "59,56",
        "en",
        "percent",
        {},
        "'59,56' can be read two ways; here commas separate thousands and a point marks decimals "
        "(write 59.56)",
    ),
    ("10.000.000,000.5", "id", "rupiah", {}, "«10.000.000,000.5» bukan angka yang ditulis cara Indonesia"),
    ("10.00.000", "id", "rupiah", {}, "«10.00.000» bukan angka yang ditulis cara Indonesia"),
    ("1,2,3", "id", "number", {}, "«1,2,3» bukan angka"),
    ("abc", "id", "rupiah", {}, "«abc» bukan angka"),
    ("Rp10 X", "id", "rupiah", {}, "«Rp10 X» bukan angka"),
    ("Rp10 M", "en", "rupiah", {}, "'Rp10 M': 'M' is ambiguous (million or miliar)"),
    ("Rp10 bn", "id", "rupiah", {}, "«Rp10 bn» bukan angka"),
    ("10 %", "id", "rupiah", {}, "«10 %»: tanda % tidak diharapkan di kolom ini."),
    ("Rp60", "id", "percent", {}, "«Rp60»: rupiah tidak diharapkan di kolom ini."),
    ("26.373,5", "id", "count", {}, "«26.373,5»: isi bilangan bulat."),
    ("5 jt", "id", "count", {}, "«5 jt»: satuan (rb, jt, M, T) tidak diharapkan"),
    ("5959", "id", "percent", {"low": 0.0, "high": 1.0}, "«5959» di luar rentang 0 % sampai 100 %."),
    ("5959", "en", "percent", {"low": 0.0, "high": 1.0}, "'5959' is outside 0% to 100%."),
    ("-5", "id", "rupiah", {"low": 0.0}, "«-5» kurang dari Rp0."),
    (
        "Rp20 T",
        "id",
        "rupiah",
        {"low": 0.0, "high": 1e13},
        "«Rp20 T» di luar rentang Rp0 sampai Rp10.000.000.000.000.",
    ),
]


@pytest.mark.parametrize("text, lang, kind, bounds, message", REFUSE)
def test_unreadable_or_ambiguous_numbers_are_refused_in_the_users_language(text, lang, kind, bounds, message):
    with pytest.raises(fmt.NumberError) as err:
        fmt.parse_number(text, lang, kind=kind, **bounds)
    assert str(err.value).startswith(message), str(err.value)


@pytest.mark.parametrize(
    "value, lang, kind, text",
    [
        (10_000_000_000, "id", "rupiah", "10.000.000.000"),
        (10_000_000_000, "en", "rupiah", "10,000,000,000"),
        (0.5956, "id", "percent", "59,56"),
        (0.5956, "en", "percent", "59.56"),
        (0.60, "id", "percent", "60"),
        (26_373, "id", "count", "26.373"),
    ],
)
def test_typed_writes_what_parse_reads_back(value, lang, kind, text):
    assert fmt.typed(value, lang, kind=kind) == text
    assert fmt.parse_number(text, lang, kind=kind) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(
    "value, lang, long, text",
    [
        ("2025-12", "id", False, "Des 2025"),
        ("2025-08", "id", True, "Agustus 2025"),
        ("2025-05-01", "en", False, "May 2025"),
    ],
)
def test_months_in_the_readers_language(value, lang, long, text):
    assert fmt.month(value, lang, long) == text
