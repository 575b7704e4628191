"""Normalisation: crosswalks from source formats to the hub's NormalisedRecord."""
