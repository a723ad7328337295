"""Checks of inputs and outputs; every problem is an incident with a stable check id."""
