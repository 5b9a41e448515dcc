//! Word lists for Indonesian-looking voter records: given names by sex, family names, street
//! and village words, birth places. Upper case, as KPU lists are. Plain ASCII with no commas,
//! double quotes, tabs or newlines (those are added on purpose elsewhere); a few names carry the
//! apostrophe of Arabic-derived names (`MA'RUF`), as some district names do (`Ma'u`), which
//! SQL must escape.

pub(crate) const MALE: &[&str] = &[
    "MUHAMMAD", "AHMAD", "ABDUL", "AGUS", "BUDI", "BAMBANG", "SUGENG", "SLAMET", "JOKO", "EKO", "DWI",
    "TRI", "HADI", "HERU", "IWAN", "RUDI", "ANDI", "ADI", "ARIF", "DEDI", "DENI", "YUDI", "WAHYU",
    "TEGUH", "HENDRA", "RIZKI", "FAJAR", "DIMAS", "BAYU", "ILHAM", "RAHMAT", "IMAM", "SUPRIYADI",
    "SUTRISNO", "SUPARMAN", "SUYANTO", "HARIYANTO", "NANANG", "ASEP", "UJANG", "CECEP", "DADANG",
    "YUSUF", "FIRMAN", "GILANG", "ARDI", "KOMARUDIN", "SOLEH", "MULYADI", "SUKARNO", "PAIMAN",
    "SAMSUL", "MA'RUF", "ROHMAT", "KHOIRUL", "ZAINAL", "AAN", "ENCEP", "DEDE", "RIDWAN", "FAUZI",
];

pub(crate) const FEMALE: &[&str] = &[
    "SITI", "SRI", "DEWI", "NUR", "ENDANG", "SUMIATI", "SUPARMI", "SUGIYEM", "LESTARI", "RATNA", "YULI",
    "WATI", "NINGSIH", "RINA", "ANI", "TUTI", "ERNA", "LILIS", "IIS", "NENG", "EUIS", "AYU", "PUTRI",
    "INDAH", "FITRI", "NOVI", "RIA", "DIAN", "MEGA", "NABILA", "AISYAH", "ANISA", "RAHMAWATI",
    "KARTINI", "SUMARNI", "MARYAM", "FATIMAH", "HALIMAH", "ROSITA", "WULAN", "SALSABILA", "ZAHRA",
    "MUNAWAROH", "MU'ALIFAH", "KHOLIFAH", "TITIN", "YATI", "IMAS", "ELIS", "KOMALASARI", "SUPRIHATIN", "UMI",
];

pub(crate) const FAMILY: &[&str] = &[
    "SAPUTRA", "WIJAYA", "HIDAYAT", "SETIAWAN", "KURNIAWAN", "PRATAMA", "SUSANTO", "GUNAWAN", "HALIM",
    "NUGROHO", "SANTOSO", "PURNOMO", "WIBOWO", "HARAHAP", "NASUTION", "SIREGAR", "LUBIS", "SINAGA",
    "SIMANJUNTAK", "PANJAITAN", "TAMBUNAN", "MANURUNG", "SITUMORANG", "SUPRIATNA", "SOBARI", "RAHMAN",
    "HAKIM", "FIRDAUS", "MAULANA", "RAMADHAN", "PERMANA", "SURYANA", "KUSUMA", "WARDANA", "HARTONO",
    "SULISTYO", "SUHENDAR", "SUNARYO", "MULYANA", "HASIBUAN", "PANGARIBUAN", "EFENDI", "SETIADI", "SYAFI'I",
];

/// Short names written between doubled quotes inside a full name (`MUHAMMAD "ADI" SAPUTRA`).
pub(crate) const NICKNAMES: &[&str] = &["ADI", "UDIN", "UJANG", "ENENG", "IWAN", "ATENG", "OCHA", "ENDUT", "BOIM", "ICAH"];

pub(crate) const STREETS: &[&str] = &[
    "MAWAR", "MELATI", "ANGGREK", "KENANGA", "DAHLIA", "CEMPAKA", "FLAMBOYAN", "SUDIRMAN", "DIPONEGORO",
    "GATOT SUBROTO", "AHMAD YANI", "KARTINI", "PAHLAWAN", "MERDEKA", "RAYA", "SILIWANGI", "PAJAJARAN",
    "HASANUDDIN", "IMAM BONJOL", "PEMUDA", "KENARI", "SEMERU", "BROMO", "ARJUNO", "KAWI", "RINJANI",
    "CENDRAWASIH", "MERPATI", "RAJAWALI", "KUTILANG", "NANGKA", "MANGGA", "DURIAN", "RAMBUTAN", "SALAK",
];

pub(crate) const HAMLETS: &[&str] = &[
    "KRAJAN", "KRAJAN LOR", "KRAJAN KIDUL", "SUMBERSARI", "TEGALREJO", "SUMBERAGUNG", "NGAGLIK",
    "KEDUNGSARI", "BABAKAN", "CIBEUREUM", "SUKAMAJU", "MEKARSARI", "PASIRJATI", "KALIWUNGU",
];

pub(crate) const ESTATES: &[&str] =
    &["GRIYA ASRI", "PERMATA HIJAU", "BUMI INDAH", "TAMAN SARI", "VILLA MUTIARA", "GRAHA PERMAI"];

pub(crate) const VILLAGE_HEADS: &[&str] = &[
    "SUMBER", "KARANG", "TEGAL", "WONO", "NGADI", "BANJAR", "SIDO", "SUKA", "CI", "MEKAR", "JATI",
    "KEDUNG", "PURWO", "GUNUNG", "TANJUNG", "SRI", "PAGER", "GEDANG", "BOJONG",
];

pub(crate) const VILLAGE_TAILS: &[&str] = &[
    "REJO", "SARI", "MULYO", "JAYA", "ASIH", "MAKMUR", "AGUNG", "WANGI", "HARJO", "ANYAR", "KERTO",
    "LAYA", "MUKTI", "RAHARJA", "KARYA", "SALAM", "MANIK", "GEDE",
];

/// Birth places away from home.
pub(crate) const CITIES: &[&str] = &[
    "JAKARTA", "SURABAYA", "BANDUNG", "SEMARANG", "MEDAN", "YOGYAKARTA", "SURAKARTA", "KEDIRI",
    "BLITAR", "PASURUAN", "KARAWANG", "PURWAKARTA", "CIREBON", "TASIKMALAYA", "GARUT", "PALEMBANG",
    "MAKASSAR", "PADANG", "SUKABUMI", "INDRAMAYU", "JEMBER", "PROBOLINGGO", "BANYUWANGI", "TEGAL",
];
