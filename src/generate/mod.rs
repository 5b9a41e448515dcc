//! `takar generate`: synthetic dumps with exact answers (being written).
