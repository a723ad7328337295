"""Pipeline stages in order: seeds, normalise (alignment, zwnj), segment, tokenise, attach."""
