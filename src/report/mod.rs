//! Rendering a `Summary`: JSON, Parquet, terminal (being written).
