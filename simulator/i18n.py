"""User-facing labels in Bahasa Indonesia (default) and English, for the app and exports."""

from __future__ import annotations

LANGS = ("id", "en")

TEXT: dict[str, dict[str, str]] = {
    "title": {"id": "Simulator Cakupan BPJS Ketenagakerjaan", "en": "BPJS Ketenagakerjaan Coverage Simulator"},
    "banner": {
        "id": "Data ilustratif: riwayat kepesertaan bulanan per kabupaten/kota adalah data sintetis yang "
        "dikalibrasi ke angka publik (Des 2023: 41,56 juta peserta aktif nasional; angka provinsi Kemnaker). "
        "Jangan dipakai sebagai angka resmi.",
        "en": "Illustrative data: the monthly participation history per kabupaten/kota is synthetic, "
        "calibrated to public figures (Dec 2023: 41.56 million active nationally; Kemnaker province figures). "
        "Not official figures.",
    },
    "language": {"id": "Bahasa", "en": "Language"},
    "page_overview": {"id": "Ringkasan", "en": "Overview"},
    "page_region": {"id": "Wilayah", "en": "Region"},
    "page_data": {"id": "Data", "en": "Data"},
    "regions": {"id": "Wilayah (Kemendagri)", "en": "Regions (Kemendagri)"},
    "code": {"id": "Kode", "en": "Code"},
    "name": {"id": "Nama", "en": "Name"},
    "level": {"id": "Tingkat", "en": "Level"},
    "villages": {"id": "Desa/kelurahan", "en": "Villages"},
    "province": {"id": "Provinsi", "en": "Province"},
    "region": {"id": "Wilayah", "en": "Region"},
    "all_provinces": {"id": "Semua provinsi", "en": "All provinces"},
    "coverage": {"id": "Cakupan", "en": "Coverage"},
    "active": {"id": "Peserta aktif", "en": "Active participants"},
    "employed": {"id": "Penduduk bekerja", "en": "Employed persons"},
    "target": {"id": "Target", "en": "Target"},
    "year": {"id": "Tahun", "en": "Year"},
    "probability": {"id": "Peluang tercapai", "en": "Probability of reaching"},
    "median": {"id": "Median proyeksi", "en": "Projected median"},
    "band80": {"id": "Rentang 80 %", "en": "80 % band"},
    "gap": {"id": "Kekurangan (orang)", "en": "Gap (persons)"},
    "status": {"id": "Status", "en": "Status"},
    "cost": {"id": "Biaya", "en": "Cost"},
    "payer": {"id": "Pembayar", "en": "Payer"},
    "lever": {"id": "Kebijakan", "en": "Lever"},
    "download_csv": {"id": "Unduh CSV", "en": "Download CSV"},
    "computing": {"id": "Menghitung proyeksi dasar (sekali saja, lalu disimpan)…", "en": "Computing the baseline (once, then cached)…"},
    "subsidy": {"id": "Bantuan iuran (orang)", "en": "Contribution subsidy (persons)"},
    "subsidy_start": {"id": "Mulai bantuan iuran", "en": "Subsidy start"},
    "subsidy_months": {"id": "Lama bantuan (bulan)", "en": "Subsidy duration (months)"},
    "retention": {"id": "Tetap aktif setelah bantuan berakhir", "en": "Retention after the subsidy ends"},
    "already_covered": {"id": "Sudah tercakup sebelumnya", "en": "Already covered anyway"},
    "officials": {"id": "Aparat desa per desa", "en": "Village officials per village"},
    "enrolled_share": {"id": "Porsi aparat terdaftar", "en": "Share of officials enrolled"},
    "village_start": {"id": "Mulai pendaftaran aparat desa", "en": "Village enrollment start"},
    "fan_chart": {"id": "Proyeksi cakupan (median, rentang 50/80/95 %)", "en": "Projected coverage (median, 50/80/95 % bands)"},
    "history": {"id": "Riwayat", "en": "History"},
    "waterfall": {"id": "Kontribusi tiap kebijakan pada tenggat", "en": "Contribution of each lever at the deadline"},
    "cost_table": {"id": "Biaya per pembayar per tahun", "en": "Cost per payer per year"},
    "upload": {"id": "Unggah CSV atau Excel", "en": "Upload CSV or Excel"},
    "valid": {"id": "Berkas valid", "en": "File is valid"},
    "invalid": {"id": "Berkas ditolak; data yang sedang dipakai tidak diubah", "en": "File rejected; the data in use is unchanged"},
    "on track": {"id": "sesuai jalur", "en": "on track"},
    "at risk": {"id": "berisiko", "en": "at risk"},
    "off track": {"id": "tidak tercapai", "en": "off track"},
    "headline_nation": {"id": "Nasional", "en": "Nation"},
    "no_target": {"id": "Tidak ada target untuk wilayah ini dalam rentang proyeksi.", "en": "No target for this region within the projection."},
    "deadline": {"id": "Tenggat", "en": "Deadline"},
    "bundled": {"id": "Data bawaan", "en": "Bundled data"},
}


def t(key: str, lang: str = "id") -> str:
    """Label ``key`` in ``lang``; falls back to Indonesian, then to the key itself."""
    entry = TEXT.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["id"]
