"""Canonical column names, levels, segments and payers: the one vocabulary every loader maps onto."""

REGION_CODE = "region_code"
SEGMENT = "segment"
DS = "ds"
ACTIVE = "active"
EMPLOYED = "employed"
PERIOD = "period"
YEAR = "year"
COVERAGE = "coverage"

LEVELS = ("nasional", "provinsi", "kabkota")
NATION_CODE = "00"

#: Participant segments: wage earners, non-wage earners (informal), construction, migrant workers.
SEGMENTS = ("PU", "BPU", "JAKON", "PMI")

#: Who pays for a lever, with display names.
PAYERS = {
    "apbn": "APBN",
    "apbd_provinsi": "APBD provinsi",
    "apbd_kabkota": "APBD kabupaten/kota",
    "apbdes": "APBDes/ADD",
    "dana_desa": "Dana Desa",
    "employer": "Pemberi kerja",
    "worker": "Pekerja",
}

#: Payers that are government budgets (APBN, APBD, village budgets); the others (employers, workers
#: paying their own contributions) are shown apart from them in cost tables.
GOVERNMENT_PAYERS = ("apbn", "apbd_provinsi", "apbd_kabkota", "apbdes", "dana_desa")

# Who pays a lever set for a region (its own budget, by level) is dated data: parameter
# ``payer_by_level`` in data/parameters.yaml, read by ``simulator.parameters.payer_for``.
