"""Publication: columns, rows, Parquet, dataset card, Croissant, build manifest, atomic swap."""
