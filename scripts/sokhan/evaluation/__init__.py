"""Measurements reported in the dataset card: annotator agreement and ZWNJ restoration."""
