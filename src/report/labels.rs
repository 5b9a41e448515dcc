//! Every label of the reports for people (terminal and HTML), in English and Bahasa Indonesia
//! (`--lang en|id`). The people who receive a report about an Indonesian leak are mostly
//! Indonesian, so the page and the terminal speak their language on request.
//!
//! One struct of `&'static str` per language: a label missing in one language is a compile
//! error, not a blank on a page. Field names, codes and JSON keys (`nik_column`,
//! `birth_date`) stay as they are: they are the contract scripts read.

use crate::nik::Reason;

/// The language of the reports for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Id,
}

impl Lang {
    /// `en` or `id`, as `--lang` takes it and the page's `lang` attribute wants it.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Id => "id",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "id" => Some(Lang::Id),
            _ => None,
        }
    }

    pub fn labels(self) -> &'static Labels {
        match self {
            Lang::En => &EN,
            Lang::Id => &ID,
        }
    }

    /// Thousands separator: `3,165,815` in English, `3.165.815` in Indonesian.
    pub fn thousands(self, n: u64) -> String {
        let sep = match self {
            Lang::En => ',',
            Lang::Id => '.',
        };
        let digits = n.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }

    /// `part` of `whole` as a percentage with one decimal (`12.3%`, `12,3%`), `-` for none.
    pub fn percent(self, part: f64, whole: f64) -> String {
        if whole <= 0.0 || !part.is_finite() {
            return "-".to_string();
        }
        self.decimal(part * 100.0 / whole, 1) + "%"
    }

    /// `x` with `places` decimals and this language's decimal mark.
    pub fn decimal(self, x: f64, places: usize) -> String {
        let s = format!("{x:.places$}");
        match self {
            Lang::En => s,
            Lang::Id => s.replace('.', ","),
        }
    }

    /// A plain-words description of an invalid-NIK reason.
    pub fn reason(self, r: Reason) -> &'static str {
        let l = self.labels();
        match r {
            Reason::Length => l.reason_length,
            Reason::NonDigit => l.reason_non_digit,
            Reason::SpreadsheetMangled => l.reason_spreadsheet,
            Reason::Province => l.reason_province,
            Reason::Regency => l.reason_regency,
            Reason::District => l.reason_district,
            Reason::BirthDate => l.reason_birth_date,
            Reason::Serial => l.reason_serial,
            Reason::Placeholder => l.nik_placeholder,
        }
    }
}

/// The labels of one language.
pub struct Labels {
    // Terminal report.
    pub inputs: &'static str,
    pub input_one: &'static str,
    pub input_many: &'static str,
    pub scanned: &'static str,
    pub reference_date: &'static str,
    pub format: &'static str,
    pub compression: &'static str,
    pub delimiter: &'static str,
    pub tab: &'static str,
    pub header: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub none: &'static str,
    pub nik_column: &'static str,
    pub kk_column: &'static str,
    pub birth_date: &'static str,
    pub gender: &'static str,
    pub warnings: &'static str,
    pub more_warnings: &'static str,
    pub totals: &'static str,
    pub records: &'static str,
    pub nik_valid: &'static str,
    pub nik_invalid: &'static str,
    pub nik_missing: &'static str,
    pub nik_placeholder: &'static str,
    pub nik_unique: &'static str,
    pub nik_duplicates: &'static str,
    pub of_valid: &'static str,
    pub kk_valid: &'static str,
    pub kk_invalid: &'static str,
    pub kk_missing: &'static str,
    pub kk_unique: &'static str,
    pub invalid_by_reason: &'static str,
    pub reason: &'static str,
    pub count: &'static str,
    pub invalid: &'static str,
    pub consistency: &'static str,
    pub checked: &'static str,
    pub mismatch: &'static str,
    pub top: &'static str,
    pub of: &'static str,
    pub provinces: &'static str,
    pub regencies: &'static str,
    pub by_unique_nik: &'static str,
    pub no_valid_nik: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    pub unique_nik: &'static str,
    pub historic_now: &'static str,
    pub per_input: &'static str,
    pub path: &'static str,
    pub valid_nik: &'static str,
    pub new_unique: &'static str,
    pub elapsed: &'static str,
    pub memory: &'static str,
    pub estimate: &'static str,
    pub approximate_note: &'static str,
    pub budget: &'static str,
    pub keys_peak: &'static str,
    pub spilled: &'static str,
    pub runs: &'static str,
    // HTML report.
    pub title: &'static str,
    pub subtitle: &'static str,
    pub people: &'static str,
    pub families: &'static str,
    pub duplicates: &'static str,
    pub invalid_nik: &'static str,
    pub map_title: &'static str,
    pub map_note: &'static str,
    pub layer_unique: &'static str,
    pub layer_coverage: &'static str,
    pub legend_unique: &'static str,
    pub legend_coverage: &'static str,
    pub nobody: &'static str,
    pub inset: &'static str,
    pub province: &'static str,
    pub coverage: &'static str,
    pub population: &'static str,
    pub rank: &'static str,
    pub top_regencies: &'static str,
    pub show_all: &'static str,
    pub sort_hint: &'static str,
    pub what_was_read: &'static str,
    pub encoding: &'static str,
    pub bytes: &'static str,
    pub no_warnings: &'static str,
    pub skipped: &'static str,
    pub verdict: &'static str,
    pub signals: &'static str,
    /// Every check the verdict judged, tripped or not.
    pub all_checks: &'static str,
    pub value: &'static str,
    pub expected: &'static str,
    pub weight: &'static str,
    pub claim: &'static str,
    pub source: &'static str,
    pub other_figures: &'static str,
    pub about: &'static str,
    pub made_by: &'static str,
    pub command: &'static str,
    pub privacy: &'static str,
    pub map_data: &'static str,
    // Reasons in plain words.
    pub reason_length: &'static str,
    pub reason_non_digit: &'static str,
    pub reason_spreadsheet: &'static str,
    pub reason_province: &'static str,
    pub reason_regency: &'static str,
    pub reason_district: &'static str,
    pub reason_birth_date: &'static str,
    pub reason_serial: &'static str,
}

pub static EN: Labels = Labels {
    inputs: "Inputs",
    input_one: "input",
    input_many: "inputs",
    scanned: "scanned",
    reference_date: "reference date",
    format: "format",
    compression: "compression",
    delimiter: "delimiter",
    tab: "tab",
    header: "header",
    yes: "yes",
    no: "no",
    none: "none",
    nik_column: "NIK column",
    kk_column: "KK column",
    birth_date: "birth date",
    gender: "gender",
    warnings: "Warnings",
    more_warnings: "more lines of warnings in summary.json (--out) or --json",
    totals: "Totals (percentages of records)",
    records: "records",
    nik_valid: "NIK valid",
    nik_invalid: "NIK invalid",
    nik_missing: "NIK missing",
    nik_placeholder: "NIK placeholder",
    nik_unique: "NIK unique (people)",
    nik_duplicates: "NIK duplicate records",
    of_valid: "of valid",
    kk_valid: "KK valid",
    kk_invalid: "KK invalid",
    kk_missing: "KK missing",
    kk_unique: "KK unique (families)",
    invalid_by_reason: "Invalid {what} by reason",
    reason: "reason",
    count: "count",
    invalid: "invalid",
    consistency: "Consistency (NIK against other columns)",
    checked: "checked",
    mismatch: "mismatch",
    top: "Top",
    of: "of",
    provinces: "provinces",
    regencies: "regencies/cities",
    by_unique_nik: "by unique NIK",
    no_valid_nik: "(no valid NIK)",
    code: "code",
    name: "name",
    unique_nik: "unique NIK",
    historic_now: "historic, now",
    per_input: "Per input",
    path: "path",
    valid_nik: "valid NIK",
    new_unique: "new unique",
    elapsed: "Elapsed",
    memory: "Memory",
    estimate: "estimate",
    approximate_note: "--approximate: unique counts are HyperLogLog estimates (standard error about 1.6%), not exact counts",
    budget: "budget",
    keys_peak: "keys held at most",
    spilled: "of keys spilled to disk",
    runs: "sorted runs",
    title: "Leak size report",
    subtitle: "What takar found in this dump: how many people, and where they live.",
    people: "unique people (valid NIK)",
    families: "unique families (No. KK)",
    duplicates: "duplicate records",
    invalid_nik: "invalid NIK",
    map_title: "Victims per regency/city",
    map_note: "Unique people per regency/city. Historic codes are drawn as their successor. Grey: no one in the dump.",
    layer_unique: "Unique people",
    layer_coverage: "Share of official population",
    legend_unique: "unique people",
    legend_coverage: "share of the regency's official population",
    nobody: "no one",
    inset: "Java and Bali, enlarged",
    province: "province",
    coverage: "coverage",
    population: "population",
    rank: "#",
    top_regencies: "Regencies and cities by unique people",
    show_all: "Show all",
    sort_hint: "Click a column heading to sort.",
    what_was_read: "What was read, and how takar understood it",
    encoding: "encoding",
    bytes: "bytes",
    no_warnings: "No warnings.",
    skipped: "Skipped (not a dump, or unreadable)",
    verdict: "Verdict",
    signals: "Signals",
    all_checks: "Every check judged",
    value: "value",
    expected: "expected",
    weight: "weight",
    claim: "Claimed size",
    source: "Likely source",
    other_figures: "Other figures",
    about: "About this report",
    made_by: "Made by takar",
    command: "command",
    privacy: "This report holds counts and region names only: no NIK, no No. KK, no name of a person.",
    map_data: "Map data",
    reason_length: "wrong number of digits",
    reason_non_digit: "not a number",
    reason_spreadsheet: "spreadsheet damage (3.5E+15)",
    reason_province: "unknown province code",
    reason_regency: "unknown regency code",
    reason_district: "unknown district code",
    reason_birth_date: "impossible birth date",
    reason_serial: "serial 0000",
};

pub static ID: Labels = Labels {
    inputs: "Masukan",
    input_one: "masukan",
    input_many: "masukan",
    scanned: "dipindai",
    reference_date: "tanggal acuan",
    format: "format",
    compression: "kompresi",
    delimiter: "pemisah",
    tab: "tab",
    header: "baris judul",
    yes: "ya",
    no: "tidak",
    none: "tidak ada",
    nik_column: "kolom NIK",
    kk_column: "kolom KK",
    birth_date: "tanggal lahir",
    gender: "jenis kelamin",
    warnings: "Peringatan",
    more_warnings: "baris peringatan lain ada di summary.json (--out) atau --json",
    totals: "Jumlah (persentase dari rekaman)",
    records: "rekaman",
    nik_valid: "NIK sah",
    nik_invalid: "NIK tidak sah",
    nik_missing: "NIK kosong",
    nik_placeholder: "NIK pengisi (dummy)",
    nik_unique: "NIK unik (orang)",
    nik_duplicates: "rekaman NIK ganda",
    of_valid: "dari yang sah",
    kk_valid: "KK sah",
    kk_invalid: "KK tidak sah",
    kk_missing: "KK kosong",
    kk_unique: "KK unik (keluarga)",
    invalid_by_reason: "{what} tidak sah menurut alasan",
    reason: "alasan",
    count: "jumlah",
    invalid: "tidak sah",
    consistency: "Konsistensi (NIK dibandingkan kolom lain)",
    checked: "diperiksa",
    mismatch: "tidak cocok",
    top: "",
    of: "teratas dari",
    provinces: "provinsi",
    regencies: "kabupaten/kota",
    by_unique_nik: "menurut NIK unik",
    no_valid_nik: "(tidak ada NIK sah)",
    code: "kode",
    name: "nama",
    unique_nik: "NIK unik",
    historic_now: "kode lama, kini",
    per_input: "Per masukan",
    path: "berkas",
    valid_nik: "NIK sah",
    new_unique: "unik baru",
    elapsed: "Waktu",
    memory: "Memori",
    estimate: "perkiraan",
    approximate_note: "--approximate: angka unik adalah perkiraan HyperLogLog (galat baku sekitar 1,6%), bukan hitungan pasti",
    budget: "batas",
    keys_peak: "kunci tertahan paling banyak",
    spilled: "kunci ditulis sementara ke disk",
    runs: "berkas urut",
    title: "Laporan ukuran kebocoran data",
    subtitle: "Temuan takar dalam data ini: berapa orang, dan di mana mereka tinggal.",
    people: "orang unik (NIK sah)",
    families: "keluarga unik (No. KK)",
    duplicates: "rekaman ganda",
    invalid_nik: "NIK tidak sah",
    map_title: "Korban per kabupaten/kota",
    map_note: "Orang unik per kabupaten/kota. Kode lama digambar sebagai kode penggantinya. Abu-abu: tidak ada orang dalam data.",
    layer_unique: "Orang unik",
    layer_coverage: "Bagian dari penduduk resmi",
    legend_unique: "orang unik",
    legend_coverage: "bagian dari jumlah penduduk resmi kabupaten/kota",
    nobody: "tidak ada",
    inset: "Jawa dan Bali, diperbesar",
    province: "provinsi",
    coverage: "cakupan",
    population: "penduduk",
    rank: "#",
    top_regencies: "Kabupaten dan kota menurut jumlah orang unik",
    show_all: "Tampilkan semua",
    sort_hint: "Klik judul kolom untuk mengurutkan.",
    what_was_read: "Apa yang dibaca, dan bagaimana takar memahaminya",
    encoding: "pengodean",
    bytes: "bita",
    no_warnings: "Tidak ada peringatan.",
    skipped: "Dilewati (bukan data, atau tidak terbaca)",
    verdict: "Kesimpulan",
    signals: "Tanda",
    all_checks: "Semua pemeriksaan",
    value: "nilai",
    expected: "yang wajar",
    weight: "bobot",
    claim: "Ukuran yang diklaim",
    source: "Kemungkinan sumber",
    other_figures: "Angka lain",
    about: "Tentang laporan ini",
    made_by: "Dibuat oleh takar",
    command: "perintah",
    privacy: "Laporan ini hanya memuat jumlah dan nama wilayah: tanpa NIK, tanpa No. KK, tanpa nama orang.",
    map_data: "Data peta",
    reason_length: "jumlah digit salah",
    reason_non_digit: "bukan angka",
    reason_spreadsheet: "rusak oleh spreadsheet (3.5E+15)",
    reason_province: "kode provinsi tidak dikenal",
    reason_regency: "kode kabupaten/kota tidak dikenal",
    reason_district: "kode kecamatan tidak dikenal",
    reason_birth_date: "tanggal lahir mustahil",
    reason_serial: "nomor urut 0000",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(Lang::En.thousands(3_165_815), "3,165,815");
        assert_eq!(Lang::Id.thousands(3_165_815), "3.165.815");
        assert_eq!(Lang::En.thousands(999), "999");
        assert_eq!(Lang::Id.percent(1.0, 8.0), "12,5%");
        assert_eq!(Lang::En.percent(1.0, 0.0), "-");
        assert_eq!(Lang::parse("id"), Some(Lang::Id));
        assert_eq!(Lang::parse("fr"), None);
    }
}
