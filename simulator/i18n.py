"""User-facing labels in Bahasa Indonesia (default) and English, for the app and exports."""

from __future__ import annotations

LANGS = ("id", "en")
#: One line, both languages: printed by the command line and written as the first line ("# ...")
#: of every CSV computed from the illustrative (synthetic) history.
ILLUSTRATIVE_LINE = (
    "catatan: data ilustratif, bukan angka resmi / note: illustrative data, not official figures"
)

TEXT: dict[str, dict[str, str]] = {
    "title": {
        "id": "Simulator Cakupan BPJS Ketenagakerjaan",
        "en": "BPJS Ketenagakerjaan Coverage Simulator",
    },
    "banner": {
        "id": "Data ilustratif: riwayat kepesertaan bulanan per kabupaten/kota adalah data sintetis yang "
        "dikalibrasi ke angka publik (Des 2023: 41,56 juta peserta aktif nasional; angka provinsi Kemnaker). "
        "Jangan dipakai sebagai angka resmi.",
        "en": "Illustrative data: the monthly participation history per kabupaten/kota is synthetic, "
        "calibrated to public figures (Dec 2023: 41.56 million active nationally; Kemnaker province "
        "figures). "
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
    "computing": {
        "id": "Menghitung proyeksi dasar (sekali saja, lalu disimpan)…",
        "en": "Computing the baseline (once, then cached)…",
    },
    "preparing": {
        "id": "Menyiapkan proyeksi dasar (sekali setelah instalasi, di proses terpisah)…",
        "en": "Preparing the baseline (once after installing, in a process of its own)…",
    },
    "prepare_failed": {
        "id": "Proyeksi dasar tidak dapat disiapkan",
        "en": "The baseline could not be prepared",
    },
    "subsidy": {"id": "Bantuan iuran (orang)", "en": "Contribution subsidy (persons)"},
    "subsidy_start": {"id": "Mulai bantuan iuran", "en": "Subsidy start"},
    "subsidy_months": {"id": "Lama bantuan (bulan)", "en": "Subsidy duration (months)"},
    "retention": {"id": "Tetap aktif setelah bantuan berakhir", "en": "Retention after the subsidy ends"},
    "already_covered": {"id": "Sudah tercakup sebelumnya", "en": "Already covered anyway"},
    "officials": {"id": "Aparat desa per desa", "en": "Village officials per village"},
    "enrolled_share": {"id": "Porsi aparat terdaftar", "en": "Share of officials enrolled"},
    "village_start": {"id": "Mulai pendaftaran aparat desa", "en": "Village enrollment start"},
    "fan_chart": {
        "id": "Proyeksi cakupan: median, rentang 50/80/95 % dan target",
        "en": "Projected coverage: median, 50/80/95 % bands and targets",
    },
    "history": {"id": "Riwayat", "en": "History"},
    "waterfall": {
        "id": "Kontribusi tiap kebijakan pada tenggat",
        "en": "Contribution of each lever at the deadline",
    },
    "cost_table": {"id": "Biaya per pembayar per tahun", "en": "Cost per payer per year"},
    "upload": {"id": "Unggah CSV atau Excel", "en": "Upload CSV or Excel"},
    "valid": {"id": "Berkas valid", "en": "File is valid"},
    "invalid": {
        "id": "Berkas ditolak; data yang sedang dipakai tidak diubah",
        "en": "File rejected; the data in use is unchanged",
    },
    "on track": {"id": "sesuai jalur", "en": "on track"},
    "at risk": {"id": "berisiko", "en": "at risk"},
    "off track": {"id": "di luar jalur", "en": "off track"},
    "headline_nation": {"id": "Nasional", "en": "Nation"},
    "no_target": {
        "id": "Tidak ada target untuk wilayah ini dalam rentang proyeksi.",
        "en": "No target for this region within the projection.",
    },
    "deadline": {"id": "Tenggat", "en": "Deadline"},
    "bundled": {"id": "Data bawaan", "en": "Bundled data"},
    "banner_short": {
        "id": "Data ilustratif (riwayat kepesertaan sintetis, dikalibrasi ke angka publik); bukan "
        "angka resmi.",
        "en": "Illustrative data (synthetic participation history calibrated to public figures); not "
        "official figures.",
    },
    "scenario_error": {"id": "Skenario tidak dapat dijalankan", "en": "The scenario cannot be run"},
    "persons": {"id": "Orang", "en": "Persons"},
    "levers": {"id": "Kebijakan untuk wilayah ini", "en": "Levers for this region"},
    "outreach": {
        "id": "Pendaftaran BPU baru per bulan (12 bulan)",
        "en": "New informal (BPU) enrollments per month (12 months)",
    },
    "save_scenario": {"id": "Simpan sebagai skenario", "en": "Save as a scenario"},
    "scenario_name": {"id": "Nama skenario", "en": "Scenario name"},
    "download_yaml": {"id": "Unduh YAML skenario", "en": "Download scenario YAML"},
    "add_to_compare": {"id": "Tambahkan ke Bandingkan", "en": "Add to Compare"},
    "added": {"id": "Ditambahkan", "en": "Added"},
    "link_error": {"id": "Tautan berisi skenario yang rusak", "en": "The link carries a damaged scenario"},
    "page_compare": {"id": "Bandingkan", "en": "Compare"},
    "upload_yaml": {"id": "Unggah skenario (YAML)", "en": "Upload a scenario (YAML)"},
    "invalid_scenario": {
        "id": "Skenario ditolak; daftar skenario tidak diubah",
        "en": "Scenario rejected; the scenario list is unchanged",
    },
    "scenarios": {"id": "Skenario (maks. 4)", "en": "Scenarios (up to 4)"},
    "scenario": {"id": "Skenario", "en": "Scenario"},
    "pick_scenarios": {"id": "Pilih satu sampai empat skenario.", "en": "Pick one to four scenarios."},
    "share_hint": {
        "id": "Alamat halaman ini memuat pilihan skenario dan wilayah: salin untuk membagikannya.",
        "en": "This page's address carries the chosen scenarios and region: copy it to share.",
    },
    "page_budget": {"id": "Anggaran", "en": "Budget"},
    "data_kind": {"id": "Jenis data", "en": "Kind of data"},
    "kind_history": {"id": "Riwayat peserta aktif", "en": "Active participant history"},
    "kind_workforce": {"id": "Penduduk bekerja", "en": "Workforce (employed)"},
    "kind_targets": {"id": "Target cakupan", "en": "Coverage targets"},
    "rows": {"id": "baris", "en": "rows"},
    "use_upload": {"id": "Pakai data ini", "en": "Use this data"},
    "in_use": {
        "id": "Data unggahan dipakai di semua halaman.",
        "en": "The uploaded data is now used on every page.",
    },
    "uploads_in_use": {"id": "Data unggahan yang dipakai", "en": "Uploaded data in use"},
    "back_to_bundled": {"id": "Kembali ke data bawaan", "en": "Back to the bundled data"},
    "templates": {"id": "Templat", "en": "Templates"},
    "template": {"id": "Templat", "en": "Template"},
    "page_model": {"id": "Model", "en": "Model"},
    "model_note": {
        "id": "Uji balik bergulir (3 titik awal) atas log(1 + peserta aktif) per kabupaten/kota; MASE "
        "< 1 berarti lebih baik daripada naif satu langkah dalam sampel. Cakupan interval dihitung di "
        "luar sampel.",
        "en": "Rolling-origin backtest (3 origins) on log(1 + active) per kabupaten/kota; MASE < 1 "
        "beats the in-sample one-step naive. Interval coverage is out of sample.",
    },
    "mase_auto": {"id": "MASE rata-rata (model terpilih)", "en": "Mean MASE (selected model)"},
    "mase_naive": {"id": "MASE rata-rata (naif)", "en": "Mean MASE (naive)"},
    "cover80": {"id": "Cakupan interval 80 %", "en": "80 % interval coverage"},
    "calib_title": {
        "id": "Seberapa yakin proyeksi ini sebelumnya: uji mundur per tingkat wilayah",
        "en": "How sure the projection has been: backtest per level of the region tree",
    },
    "calib_note": {
        "id": "Proyeksi lengkap (semua kab/kota, provinsi dan nasional, jalur bersama) dijalankan "
        "dari {n} titik "
        "awal di masa lalu ({origins}) dan dibandingkan dengan yang terjadi. Pita X %: bagian angka "
        "sebenarnya di dalam pita X % proyeksi (idealnya mendekati X %). Galat median: median / aktual - 1 "
        "(positif: proyeksi terlalu tinggi). Skill: 1 - CRPS / CRPS naif (di atas 0: lebih baik dari naif). "
        "Setiap peluang di aplikasi ditampilkan bersama angka pita 80 % tingkatnya.",
        "en": "The whole projection (every kabupaten/kota, province and the nation, joint paths) is "
        "run from {n} "
        "past origins ({origins}) and compared with what happened. Band X %: share of true values inside "
        "the projection's X % band (ideally close to X %). Median error: median / actual - 1 (positive: "
        "projected too high). Skill: 1 - CRPS / naive CRPS (above 0: better than naive). Every probability "
        "in the app is shown beside its level's 80 % band figure.",
    },
    "calib_short": {
        "id": "Riwayat terlalu pendek untuk uji mundur (perlu 24 bulan sebelum titik awal pertama).",
        "en": "History too short for a backtest (24 months are needed before the first origin).",
    },
    "months_ahead": {"id": "Bulan ke depan", "en": "Months ahead"},
    "tested": {"id": "Teruji*", "en": "Tested*"},
    "reliability": {"id": "Keandalan", "en": "Reliability"},
    "tested_help": {
        "id": "* Teruji: seberapa sering pita 80 % proyeksi tingkat wilayah ini memuat angka sebenarnya "
        "dalam uji mundur, pada jarak tenggat ini (halaman Model); – : tenggat lebih jauh dari "
        "yang teruji.",
        "en": "* Tested: how often this level's 80 % projection band held the truth in backtests, at "
        "this deadline's distance (Model page); – : a deadline further ahead than was tested.",
    },
    "tested_card": {"id": "pita 80 % teruji {x} dalam uji mundur", "en": "80 % band held {x} in backtests"},
    # the Region page's per-segment panel (app_pages/segments_view.py)
    "by_segment": {"id": "Per segmen peserta", "en": "By participant segment"},
    "by_segment_no_history": {
        "id": "Data riwayat yang dipakai tidak memuat kolom segmen: rincian per segmen tidak tersedia.",
        "en": "The history in use has no segment column: no breakdown by segment.",
    },
    "by_segment_help": {
        "id": "Porsi: bagian segmen dari peserta aktif wilayah ini selama 12 bulan terakhir yang teramati "
        "(dianggap tetap). Dasar: median proyeksi dasar (semua segmen) x porsi. Kebijakan: tambahan "
        "dari kebijakan segmen itu (guncangan tenaga kerja dibagi menurut porsi). Penyebut: PU = "
        "penduduk bekerja x (1 - porsi informal), BPU = penduduk bekerja x porsi informal (BPS); "
        "JAKON dan PMI tanpa penyebut. Cakupan = skenario / penyebut. Porsi perubahan: bagian segmen "
        "dari perubahan yang dibuat skenario. Target resmi berlaku untuk semua segmen bersama.",
        "en": "Share: the segment's share of this region's active participants over the last 12 "
        "observed months (held constant). Baseline: the median baseline (all segments) x share. "
        "Levers: what that segment's levers add (a workforce shock split by share). Denominator: PU = "
        "employed x (1 - informal share), BPU = employed x informal share (BPS); JAKON and PMI have "
        "none. Coverage = scenario / denominator. Share of change: the segment's part of the change "
        "the scenario makes. Official targets are for all segments together.",
    },
    "segment": {"id": "Segmen", "en": "Segment"},
    "seg_share": {"id": "Porsi", "en": "Share"},
    "seg_baseline": {"id": "Dasar (orang)", "en": "Baseline (persons)"},
    "seg_levers": {"id": "Kebijakan (orang)", "en": "Levers (persons)"},
    "seg_scenario": {"id": "Skenario (orang)", "en": "Scenario (persons)"},
    "seg_denominator": {"id": "Penyebut (orang)", "en": "Denominator (persons)"},
    "seg_coverage": {"id": "Cakupan", "en": "Coverage"},
    "seg_change": {"id": "Porsi perubahan", "en": "Share of change"},
    "untested_card": {"id": "jarak ini belum teruji", "en": "not backtested this far ahead"},
    "calib_band50": {"id": "Pita 50 %", "en": "Band 50 %"},
    "calib_band80": {"id": "Pita 80 %", "en": "Band 80 %"},
    "calib_band95": {"id": "Pita 95 %", "en": "Band 95 %"},
    "median_error": {"id": "Galat median", "en": "Median error"},
    "crps_naive": {"id": "CRPS naif", "en": "Naive CRPS"},
    "points": {"id": "Titik", "en": "Points"},
    "level_kabkota": {"id": "Kab/kota", "en": "Regency/city"},
    "level_provinsi": {"id": "Provinsi", "en": "Province"},
    "level_nasional": {"id": "Nasional", "en": "National"},
    "cover95": {"id": "Cakupan interval 95 %", "en": "95 % interval coverage"},
    "by_model": {"id": "Akurasi per model", "en": "Accuracy by model"},
    "by_region": {"id": "Akurasi per kabupaten/kota", "en": "Accuracy by kabupaten/kota"},
    "active_scenario": {"id": "Skenario", "en": "Scenario"},
    "scenario_cost": {"id": "Biaya skenario (total)", "en": "Scenario cost (total)"},
    "paths": {"id": "Jalur simulasi", "en": "Simulated paths"},
    "target_year": {"id": "Tahun target", "en": "Target year"},
    "tile_title": {
        "id": "Peluang mencapai target per provinsi,",
        "en": "Probability of reaching the target by province,",
    },
    "national_target_note": {
        "id": "* wilayah tanpa target sendiri dinilai terhadap target wilayah induknya (provinsi, "
        "lalu nasional RPJMN).",
        "en": "* regions without a target of their own are assessed against their parent's (province, "
        "then the national RPJMN target).",
    },
    "no target": {"id": "tanpa target", "en": "no target"},
    "payer_apbn": {"id": "APBN", "en": "APBN (central budget)"},
    "payer_apbd_provinsi": {"id": "APBD provinsi", "en": "APBD (province)"},
    "payer_apbd_kabkota": {"id": "APBD kabupaten/kota", "en": "APBD (kabupaten/kota)"},
    "payer_apbdes": {"id": "APBDes/ADD", "en": "Village budget (APBDes/ADD)"},
    "payer_dana_desa": {"id": "Dana Desa", "en": "Village fund (Dana Desa, APBN transfer)"},
    "payer_employer": {"id": "Pemberi kerja", "en": "Employer"},
    "payer_worker": {"id": "Pekerja", "en": "Worker"},
    "page_regions": {"id": "Daftar wilayah", "en": "Region list"},
    "budget_mode": {"id": "Pertanyaan", "en": "Question"},
    "mode_solve": {"id": "Berapa yang dibutuhkan?", "en": "What does it take?"},
    "mode_allocate": {"id": "Bagaimana membagi anggaran?", "en": "How to split a budget?"},
    "kind_lever_subsidy": {"id": "Bantuan iuran", "en": "Contribution subsidy"},
    "kind_lever_village": {"id": "Aparat desa", "en": "Village officials"},
    "required_probability": {"id": "Peluang yang diminta", "en": "Required probability"},
    "target_percent": {"id": "Target cakupan (%)", "en": "Coverage target (%)"},
    "headcount": {"id": "Jumlah pekerja dibantu", "en": "Subsidized workers"},
    "officials_total": {"id": "Aparat desa terdaftar (total)", "en": "Village officials enrolled (total)"},
    "budget_needed": {"id": "Anggaran yang dibutuhkan", "en": "Budget needed"},
    "solve_sentence": {
        "id": "Dibutuhkan {size} orang agar {region} mencapai {target} pada {deadline} dengan peluang "
        "sedikitnya {p}.",
        "en": "{size} persons are needed for {region} to reach {target} by {deadline} with a "
        "probability of at least {p}.",
    },
    "not_reachable": {
        "id": "Tidak tercapai dalam batas angkatan kerja",
        "en": "Not reachable within the workforce",
    },
    "budget_envelope": {"id": "Pagu anggaran (Rp)", "en": "Budget envelope (IDR)"},
    "objective": {"id": "Tujuan", "en": "Objective"},
    "objective_regions": {
        "id": "Sebanyak mungkin wilayah mencapai target",
        "en": "As many regions as possible reach their target",
    },
    "objective_workers": {
        "id": "Sebanyak mungkin pekerja baru tercakup",
        "en": "As many newly covered workers as possible",
    },
    "regions_reached": {"id": "Wilayah mencapai target", "en": "Regions reaching the target"},
    "budget_spent": {"id": "Anggaran terpakai", "en": "Budget used"},
    "new_persons": {"id": "Tambahan peserta (rata-rata)", "en": "Added participants (mean)"},
    "needed": {"id": "Dibutuhkan", "en": "Needed"},
    "allocated": {"id": "Dialokasikan", "en": "Allocated"},
    "reports": {
        "id": "Laporan untuk pimpinan (Excel, ringkasan cetak)",
        "en": "Leadership reports (Excel, printable brief)",
    },
    "download_xlsx": {"id": "Unduh buku kerja Excel", "en": "Download the Excel workbook"},
    "download_html": {
        "id": "Unduh ringkasan (HTML, siap cetak)",
        "en": "Download the brief (HTML, print-ready)",
    },
    "make_pdf": {"id": "Buat PDF", "en": "Make a PDF"},
    "download_pdf": {"id": "Unduh PDF", "en": "Download the PDF"},
    "no_pdf_engine": {
        "id": "PDF perlu Chromium (apt-get install chromium); cetak HTML ke PDF dari peramban.",
        "en": "PDF needs Chromium (apt-get install chromium); print the HTML to PDF from a browser.",
    },
    # ---- issue 20: headline, charts, address, typed numbers, scenario titles ----
    "target_of": {"id": "target", "en": "target of"},
    "band95": {"id": "Rentang 95 %", "en": "95 % band"},
    "band50": {"id": "Rentang 50 %", "en": "50 % band"},
    "median_line": {"id": "Median proyeksi (skenario)", "en": "Projected median (scenario)"},
    "before_line": {"id": "Tanpa kebijakan baru (proyeksi dasar)", "en": "Without new levers (baseline)"},
    "month": {"id": "Bulan", "en": "Month"},
    "wf_baseline": {"id": "Proyeksi dasar", "en": "Baseline"},
    "wf_total": {"id": "Dengan kebijakan", "en": "With the levers"},
    "lever_subsidy": {"id": "Bantuan iuran", "en": "Contribution subsidy"},
    "lever_village": {"id": "Aparat desa terdaftar", "en": "Village officials enrolled"},
    "lever_outreach": {"id": "Pendaftaran BPU", "en": "Informal (BPU) outreach"},
    "no_cost": {
        "id": "Tidak ada biaya: skenario ini tidak menambah kebijakan berbayar.",
        "en": "No cost: this scenario adds no paid lever.",
    },
    "payer_group": {"id": "Kelompok", "en": "Group"},
    "payer_group_gov": {"id": "Anggaran pemerintah", "en": "Government budgets"},
    "payer_group_own": {
        "id": "Dibayar sendiri (pekerja, pemberi kerja)",
        "en": "Paid by themselves (workers, employers)",
    },
    "gov_total": {"id": "Jumlah anggaran pemerintah", "en": "Government total"},
    "cost_government": {"id": "Anggaran pemerintah (semua tahun)", "en": "Government budgets (all years)"},
    "cost_own": {"id": "Dibayar sendiri (semua tahun)", "en": "Paid by themselves (all years)"},
    "address_ignored": {
        "id": "Nilai di alamat halaman yang tidak valid diabaikan",
        "en": "Invalid values in the address were ignored",
    },
    "programmes_in_force": {"id": "Program berjalan", "en": "Programmes in force"},
    "new_levers": {"id": "Kebijakan baru", "en": "New levers"},
    "programme_line": {
        "id": "{label}: {n} orang, {cost} per orang per bulan, {payer}, sejak {since}. Sudah ada "
        "dalam proyeksi dasar (tidak dihitung dua kali).",
        "en": "{label}: {n} persons, {cost} per person a month, {payer}, since {since}. Already in "
        "the baseline (never counted twice).",
    },
    "programme_action": {"id": "Program ini", "en": "This programme"},
    "programme_continue": {"id": "Berjalan terus", "en": "Continues"},
    "programme_stop": {"id": "Dihentikan", "en": "Stops"},
    "programme_scale": {"id": "Diubah skalanya", "en": "Scaled"},
    "programme_from": {"id": "Mulai bulan", "en": "From the month"},
    "programme_scale_pct": {
        "id": "Skala (persen dari peserta sekarang)",
        "en": "Scale (percent of today's members)",
    },
    "programme_retention": {
        "id": "Tetap aktif setelah bantuan dihentikan",
        "en": "Still paying after the subsidy stops",
    },
    "programme_in_force_head": {"id": "Program berjalan", "en": "Programme in force"},
    "programme_running": {
        "id": "Berjalan terus seperti dalam proyeksi dasar: {n} orang, {payer} membayar {monthly} per "
        "bulan. Pilih «Dihentikan» di panel kiri untuk melihat apa yang hilang.",
        "en": "Continues as in the baseline: {n} persons, {payer} pays {monthly} a month. Choose "
        "«Stops» on the left to see what is lost.",
    },
    "programme_stopped": {
        "id": "Dihentikan mulai {month}, dibandingkan dengan program yang berjalan terus:",
        "en": "Stopped from {month}, against the programme continuing:",
    },
    "programme_scaled": {
        "id": "Diubah menjadi {x} mulai {{month}}, dibandingkan dengan program yang berjalan terus:",
        "en": "Scaled to {x} from {{month}}, against the programme continuing:",
    },
    "programme_persons": {
        "id": "Perubahan peserta, {month} (median)",
        "en": "Change in participants, {month} (median)",
    },
    "programme_saved": {"id": "Biaya dihemat s.d. {last}", "en": "Cost saved to {last}"},
    "programme_extra": {"id": "Biaya tambahan s.d. {last}", "en": "Extra cost to {last}"},
    "programme_median": {"id": "Median cakupan, {month}", "en": "Median coverage, {month}"},
    "programme_probability": {"id": "Peluang capai target {year}", "en": "Probability of the {year} target"},
    "programme_if_continued": {"id": "Jika berjalan terus", "en": "If it continues"},
    "programme_this_choice": {"id": "Pilihan ini", "en": "This choice"},
    "programme_difference": {"id": "Dihemat", "en": "Saved"},
    "reset_levers": {"id": "Kembali ke program berjalan", "en": "Back to the programmes in force"},
    "upload_drop": {"id": "Seret berkas ke sini", "en": "Drag and drop a file here"},
    "upload_limit": {"id": "CSV atau Excel, maks. 50 MB", "en": "CSV or Excel, up to 50 MB"},
    "upload_limit_yaml": {"id": "YAML, maks. 50 MB", "en": "YAML, up to 50 MB"},
    "upload_browse": {"id": "Pilih berkas", "en": "Browse files"},
    "scn_baseline": {"id": "Proyeksi dasar (tanpa kebijakan baru)", "en": "Baseline (no new levers)"},
    "scn_baseline_desc": {
        "id": "Proyeksi saja; tidak ada kebijakan yang ditambahkan.",
        "en": "Baseline projection only; no levers are added.",
    },
    "scn_kalbar-subsidy-2025": {
        "id": "Kalbar: bantuan iuran 2025 (26.373 pekerja)",
        "en": "Kalbar: 2025 contribution subsidy (26,373 workers)",
    },
    "scn_kalbar-subsidy-2025_desc": {
        "id": "Provinsi tetap membayar JKK+JKM untuk 26.373 pekerja rentan dan pekebun sawit "
        "sepanjang 2025 (jumlah anggaran 2024), lalu berhenti.",
        "en": "The province keeps paying JKK+JKM for 26,373 vulnerable workers and oil-palm "
        "smallholders through 2025 (the 2024 budget headcount), then stops.",
    },
    "scn_kalbar-village-officials": {
        "id": "Kalbar: aparat desa terdaftar mulai Juli 2025",
        "en": "Kalbar: village officials enrolled from July 2025",
    },
    "scn_kalbar-village-officials_desc": {
        "id": "Desa di semua kabupaten/kota Kalimantan Barat mendaftarkan aparatnya (perangkat desa, "
        "BPD, LKD, ketua RT/RW) mulai Juli 2025, dibayar dari APBDes.",
        "en": "Villages in every kabupaten/kota of Kalimantan Barat enroll their officials (perangkat "
        "desa, BPD, LKD, RT/RW heads) from July 2025, paid from the village budget.",
    },
    "scn_kalbar-pergub-2025": {
        "id": "Kalbar: rencana gabungan menuju target Pergub 2025",
        "en": "Kalbar: combined plan for the Pergub 2025 target",
    },
    "scn_kalbar-pergub-2025_desc": {
        "id": "Bantuan iuran provinsi yang lebih besar selama dua tahun, aparat desa mulai Juli 2025 "
        "dan kampanye sektor informal, dinilai terhadap target Pergub 2025 sebesar 59,56 %.",
        "en": "Bigger provincial subsidy for two years, village officials from July 2025 and an "
        "informal-sector outreach campaign, assessed against the Pergub 2025 target of 59.56 %.",
    },
    "scn_national-plan": {
        "id": "Rencana nasional: APBN untuk 2 juta pekerja informal",
        "en": "National plan: APBN for 2 million informal workers",
    },
    "scn_national-plan_desc": {
        "id": "APBN membayar iuran 2 juta pekerja informal selama dua tahun mulai Januari 2026, "
        "dibagi ke kabupaten/kota menurut pekerja yang belum tercakup, ditambah penegakan kepatuhan "
        "pemberi kerja.",
        "en": "APBN subsidy for 2 million informal workers for two years from January 2026, split "
        "over kabupaten/kota by uncovered workers, and an employer compliance drive for wage earners.",
    },
    # ---- issue 22: assumption sweeps ("Seberapa yakin dengan asumsinya?") ----
    "sweep_title": {"id": "Seberapa yakin dengan asumsinya?", "en": "How sure are we of the assumptions?"},
    "sweep_samples": {"id": "Sampel dasar", "en": "Base samples"},
    "sweep_run": {"id": "Jalankan uji asumsi", "en": "Run the assumption sweep"},
    "sweep_saved": {
        "id": "Hasil uji asumsi tersimpan untuk data dan skenario ini.",
        "en": "Saved sweep for this data and scenario.",
    },
    "sweep_explain": {
        "id": "Setiap asumsi yang diberi rentang (mis. bagian yang bertahan setelah bantuan berakhir) "
        "divariasikan "
        "bersama-sama (desain Sobol'); grafik menunjukkan asumsi mana yang paling menentukan peluang "
        "mencapai target.",
        "en": "Every assumption given as a range (e.g. the share staying after the subsidy ends) is "
        "varied together "
        "(a Sobol' design); the chart shows which one decides the probability of reaching the target.",
    },
    "sweep_none": {
        "id": "Tidak ada skenario dengan asumsi berupa rentang atau sebaran.",
        "en": "No scenario gives an assumption as a range or distribution.",
    },
    "sweep_no_target": {
        "id": "Skenario ini tidak punya target untuk wilayah ini dalam cakrawala proyeksinya.",
        "en": "This scenario has no target for this region within its horizon.",
    },
    "sweep_headline": {
        "id": "Target {year} ({target}): peluang {central} pada nilai tengah asumsi; {low}-{high} di "
        "antara 10 % dan "
        "90 % kumpulan asumsi.",
        "en": "Target {year} ({target}): probability {central} at the central assumptions; "
        "{low}-{high} between the "
        "10 % and 90 % assumption sets.",
    },
    "sweep_flat": {
        "id": "Peluang mencapai target tidak bergantung pada asumsi-asumsi ini.",
        "en": "The probability of reaching the target does not depend on these assumptions.",
    },
    "sweep_legend": {
        "id": "Batang: indeks total (bagian variasi peluang yang hilang bila asumsi itu diketahui "
        "pasti), garis: "
        "selang 95 %; tanda oranye: indeks orde pertama (asumsi itu sendiri).",
        "en": "Bar: total index (the share of the probability's variance gone if that assumption were "
        "known), line: "
        "95 % interval; orange tick: first-order index (the assumption alone).",
    },
    "sweep_total": {"id": "Indeks total", "en": "Total index"},
    "sweep_first": {"id": "orde pertama", "en": "first order"},
    "sweep_assumption": {"id": "Asumsi", "en": "Assumption"},
    "sweep_central": {"id": "Nilai tengah", "en": "Central value"},
    "sweep_threshold": {
        "id": "Ambang (asumsi lain di nilai tengah)",
        "en": "Threshold (others at central values)",
    },
    "sweep_lost_below": {"id": "target lepas di bawah {value}", "en": "target lost below {value}"},
    "sweep_lost_above": {"id": "target lepas di atas {value}", "en": "target lost above {value}"},
    "sweep_never_lost": {"id": "tercapai di seluruh rentang", "en": "reached over the whole range"},
    "sweep_never_reached": {
        "id": "tidak tercapai di seluruh rentang",
        "en": "not reached over the whole range",
    },
    "sweep_key_already_covered": {"id": "sudah terdaftar sebelumnya", "en": "already covered"},
    "sweep_key_retention_after": {
        "id": "bertahan setelah bantuan berakhir",
        "en": "staying after the subsidy ends",
    },
    "sweep_key_lapse": {"id": "berhenti per bulan", "en": "monthly lapse"},
    "sweep_key_enrolled_share": {"id": "bagian yang terdaftar", "en": "share enrolled"},
}


def t(key: str, lang: str = "id") -> str:
    """Label ``key`` in ``lang``; falls back to Indonesian, then to the key itself."""
    entry = TEXT.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["id"]
